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

    /// <summary>Standard input (<c>users create --password-stdin</c>); tests give their own.</summary>
    public TextReader Input { get; init; } = Console.In;

    public TextWriter Error { get; }

    public IAnsiConsole Out { get; }

    public IAnsiConsole Err { get; }

    /// <summary>Tests: services added to every command's host after the CLI's own (see <c>OrchestratorHost</c>).</summary>
    public Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? ConfigureServices { get; init; }

    // Wide enough that a table written to a file or a pipe keeps one line per row.
    private const int RedirectedWidth = 160;

    private static IAnsiConsole Create(TextWriter writer)
    {
        var terminal = (writer == Console.Out && !Console.IsOutputRedirected) || (writer == Console.Error && !Console.IsErrorRedirected);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }
}
