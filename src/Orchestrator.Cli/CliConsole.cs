using Spectre.Console;

namespace Orchestrator.Cli;

/// <summary>Where a command writes: plain writers for data (JSON) and Spectre consoles for tables and progress.
/// Progress goes to the error stream so that stdout stays clean for JSON and pipes.</summary>
internal sealed class CliConsole
{
    public CliConsole(TextWriter output, TextWriter error)
    {
        Output = output;
        Error = error;
        Out = Create(output);
        Err = Create(error);
    }

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    public IAnsiConsole Out { get; }

    public IAnsiConsole Err { get; }

    private static IAnsiConsole Create(TextWriter writer) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(writer),
        Ansi = writer == Console.Out || writer == Console.Error ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = writer == Console.Out || writer == Console.Error ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.No,
    });
}
