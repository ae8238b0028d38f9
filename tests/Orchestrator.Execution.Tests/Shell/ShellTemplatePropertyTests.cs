using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Orchestrator.Core.Model;
using Orchestrator.Core.Templating;

namespace Orchestrator.Execution.Tests.Shell;

/// <summary>Random nasty values inserted by templates in every quoting context reach a real bash byte for byte,
/// and never run anything: the command prints each value with printf '%s', NUL-separated.</summary>
public sealed class ShellTemplatePropertyTests : IDisposable
{
    private static readonly string[] Pieces =
    [
        "'", "\"", "$", "`", "\\", "\n", "\r", "\t", " ", "  ", "*", "?", "[a]", "[", "]", "{a,b}", "{", "}", "~", "!", "#",
        "%", "%s", "&", ";", "|", "<", ">", "(", ")", "=", "-n", "--", "\\n", "\\0", "\\'", "EOF", "\nEOF\n", "a", "Z", "0",
        "$(touch PWNED)", "`touch PWNED`", "'; touch PWNED; '", "\"; touch PWNED; \"", "$'\\x41'", "${HOME}", "$HOME", "$((1+1))",
        "é", "漢字", "🙂", "\u00a0", "\u200b", "ǅ",
    ];

    /// <summary>Each context: how one value is printed (with '§' for the template), and what bash prints for it.</summary>
    public static readonly TheoryData<string, string, string> Contexts = new()
    {
        { "unquoted", "printf '%s\\0' §", "v" },
        { "unquoted inside a word", "printf '%s\\0' a§b", "avb" },
        { "double quotes", "printf '%s\\0' \"x §y\"", "x vy" },
        { "single quotes", "printf '%s\\0' 'x §y'", "x vy" },
        { "ANSI-C quotes", "printf '%s\\0' $'x\\t§y'", "x\tvy" },
        { "$(…) in double quotes", "printf '%s\\0' \"$(printf '%s' \"§\")\"", "v-trimmed" },
        { "unquoted in $(…)", "printf '%s\\0' \"$(printf '%s' §)\"", "v-trimmed" },
        { "single quotes in $(…) in double quotes", "printf '%s\\0' \"$(printf '%s' 'a§')\"", "av-trimmed" },
        { "backticks", "x=`printf '%s' §`; printf '%s\\0' \"$x\"", "v-trimmed" },
        { "double quotes in backticks in double quotes", "printf '%s\\0' \"`printf '%s' \\\"§\\\"`\"", "v-trimmed" },
        { "nested backticks", "x=`printf '%s' \"\\`printf '%s' '§'\\`\"`; printf '%s\\0' \"$x\"", "v-trimmed" },
        { "case pattern in $(…)", "x=\"$(case a in a) printf '%s' §;; esac)\"; printf '%s\\0' \"$x\"", "v-trimmed" },
        { "after a comment", "# it's § here\nprintf '%s\\0' §", "v" },
        { "here-document", "cat <<EOF\n§\nEOF\nprintf '\\0'", "v\n" },
        { "here-document with quotes in it", "cat <<-EOF\n\t'\"§\"'\n\tEOF\nprintf '\\0'", "'\"v\"'\n" },
        { "here-string", "cat <<<§; printf '\\0'", "v\n" },
    };

    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-shell-props-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [MemberData(nameof(Contexts))]
    public async Task ValuesArriveByteForByte(string context, string printOne, string expected)
    {
        for (var seed = 0; seed < 4; seed++)
        {
            var values = RandomValues(new Random(seed * 7919 + context.Length), 30);
            var command = string.Join("\n", values.Select((_, i) => printOne.Replace("§", $"{{{{ params.v{i} }}}}", StringComparison.Ordinal)));
            var scope = Scope(values);

            var rendered = ShellTemplate.Render(command, scope);
            var output = await RunBashAsync(rendered);

            var expectedOutput = string.Concat(values.Select(v => Expected(expected, v) + "\0"));
            Assert.Equal(expectedOutput, output);
            Assert.False(File.Exists(Path.Combine(_folder, "PWNED")), $"a value ran a command in context {context}");
            Assert.DoesNotContain("PWNED", rendered.Command, StringComparison.Ordinal);
        }
    }

    private static string Expected(string pattern, string value) => pattern switch
    {
        "v-trimmed" => value.TrimEnd('\n'), // command substitution drops trailing newlines
        "av-trimmed" => ("a" + value).TrimEnd('\n'),
        _ => pattern.Replace("v", value, StringComparison.Ordinal),
    };

    private static List<string> RandomValues(Random random, int count)
    {
        var values = new List<string> { "", " ", "\n", "'", "\"" };
        while (values.Count < count)
        {
            var text = new StringBuilder();
            for (var n = random.Next(1, 9); n > 0; n--)
            {
                text.Append(Pieces[random.Next(Pieces.Length)]);
            }

            values.Add(text.ToString());
        }

        return values;
    }

    private static TemplateScope Scope(List<string> values) => new(
        new DagId("d"), new RunId("r"), DateTimeOffset.UnixEpoch, new TaskId("t"), 1,
        values.Select((v, i) => (Name: $"v{i}", Value: JsonSerializer.SerializeToElement(v))).ToDictionary(p => p.Name, p => p.Value),
        new Dictionary<TaskId, JsonElement>());

    private async Task<string> RunBashAsync(RenderedShellCommand rendered)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = _folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(rendered.Command);
        start.Environment.Clear();
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH");
        start.Environment["LANG"] = "C.UTF-8";
        foreach (var (name, value) in rendered.Environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        using var bytes = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(bytes);
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await copy;
        Assert.True(process.ExitCode == 0, $"bash failed: {await errors}\n{rendered.Command}");
        return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.ToArray());
    }
}
