using Orchestrator.Core.Templating;

namespace Orchestrator.Core.Tests.Templating;

/// <summary>The lexer of bash quoting contexts. In the commands below '§' stands for a template; each expected
/// entry is the context of one template in order (U unquoted, D "…", S '…', A $'…', H here-document, C comment),
/// or '!' and a word of the reason it is refused.</summary>
public class ShellQuotingTests
{
    [Theory]
    // plain contexts
    [InlineData("echo §", "U")]
    [InlineData("echo '§'", "S")]
    [InlineData("echo \"§\"", "D")]
    [InlineData("echo $'§'", "A")]
    [InlineData("echo $\"§\"", "D")]
    [InlineData("echo --name=§ x§y", "U U")]
    [InlineData("echo \"§\" '§' § \"$(echo '§' \"§\")\"", "D S U S D")]
    [InlineData("echo \"a'§'b\"", "D")]
    [InlineData("echo 'a\"§\"b'", "S")]
    // escapes
    [InlineData("echo \\'§", "U")]
    [InlineData("echo \\\"§\\\"", "U")]
    [InlineData("echo 'it'\\''s §'", "S")]
    [InlineData("echo \"a \\\" §\"", "D")]
    [InlineData("echo \"a \\\\\" §", "U")]
    [InlineData("echo '\\' §", "U")]
    [InlineData("echo '\\§'", "S")]
    [InlineData("echo $'\\' §'", "A")]
    [InlineData("echo $'a\\\\' §", "U")]
    [InlineData("echo a \\\n §", "U")]
    // command substitution
    [InlineData("echo \"$(echo §)\"", "U")]
    [InlineData("echo \"$(echo \"§\")\"", "D")]
    [InlineData("echo \"$(echo '§')\"", "S")]
    [InlineData("echo \"$(echo \")\" §)\" §", "U U")]
    [InlineData("echo \"$(echo $(echo \"§\") §)\"", "D U")]
    [InlineData("echo ') §' \"(\" §", "S U")]
    [InlineData("echo $(case x in a) echo §;; esac) §", "U U")]
    [InlineData("echo \"$(case x in (a) echo §;; b) echo '§';; esac) §\"", "U S D")]
    [InlineData("f() { echo §; }; (cd / && echo §)", "U U")]
    [InlineData("diff <(echo §) >(cat \"§\")", "U D")]
    // backticks
    [InlineData("echo `echo §`", "U")]
    [InlineData("echo \"`echo §`\"", "U")]
    [InlineData("echo \"`echo \\\"§\\\"`\"", "D")]
    [InlineData("echo `echo \"§\"` '§'", "D S")]
    [InlineData("echo `echo \\`echo '§'\\``", "S")]
    [InlineData("echo `echo \\$HOME §`", "U")]
    // comments
    [InlineData("# §", "C")]
    [InlineData("echo a # §\necho §", "C U")]
    [InlineData("echo a;#§", "C")]
    [InlineData("echo a#§", "U")]
    [InlineData("echo $# §", "U")]
    [InlineData("echo ${#x} §", "U")]
    [InlineData("echo \"# §\" '#' §", "D U")]
    [InlineData("# it's \"§\"\necho '§'", "C S")]
    // here-documents
    [InlineData("cat <<EOF\n§\nEOF\necho §", "H U")]
    [InlineData("cat <<EOF\n\"§\" '§' $(echo §) `echo '§'`\nEOF", "H H U S")]
    [InlineData("cat <<-EOF\n\t§\n\tEOF\necho §", "H U")]
    [InlineData("cat << EOF; echo \"§\"\nbody §\nEOF\n§", "D H U")]
    [InlineData("cat <<A <<B\n§\nA\n'§'\nB\necho '§'", "H H S")]
    [InlineData("cat <<EOF\nEOF is not §\n EOF\n§\nEOF\n§", "H H U")]
    [InlineData("cat <<<§ <<<'§'", "U S")]
    [InlineData("echo $(cat <<EOF\n§\nEOF\n) §", "H U")]
    [InlineData("cat <<'EOF'\n§\nEOF\n§", "!quoted U")]
    [InlineData("cat <<\"EOF\"\n§\nEOF", "!quoted")]
    [InlineData("cat <<\\EOF\n§\nEOF", "!quoted")]
    [InlineData("cat <<A <<'B'\n§\nA\n§\nB\necho §", "H !quoted U")]
    [InlineData("cat <<§\nx\n§", "!delimiter H")]
    [InlineData("cat <<E\\§\nx\nE", "!delimiter")]
    // places no reference can be safe
    [InlineData("echo $(( § + 1 ))", "!arithmetic")]
    [InlineData("(( x = § )) && echo §", "!arithmetic U")]
    [InlineData("echo $[§]", "!arithmetic")]
    [InlineData("echo $(( '§' ))", "!arithmetic")]
    [InlineData("echo $(( $(echo §) + 1 ))", "!arithmetic")] // the substitution's output is evaluated as arithmetic
    [InlineData("echo ${x:-§}", "!${")]
    [InlineData("echo \"${x:-'§'}\"", "!${")]
    [InlineData("echo ${x:\"§\"}", "!${")]
    [InlineData("echo ${x:-$(echo §)} §", "U U")]
    [InlineData("echo ${x:-`echo §`}", "U")]
    [InlineData("echo $§", "!'$'")]
    [InlineData("echo \"$§\"", "!'$'")]
    [InlineData("echo \\§", "!backslash")]
    [InlineData("echo \"\\§\"", "!backslash")]
    [InlineData("echo $'\\§'", "!backslash")]
    [InlineData("echo `echo \\\\§`", "!backslash")]
    [InlineData("cat <<EOF\n\\§\nEOF", "!backslash")]
    public void Contexts(string command, string expected)
    {
        var analysis = Analyze(command);

        Assert.Empty(analysis.CommandProblems);
        var actual = analysis.Contexts.Select((context, i) => analysis.Problems[i] is { } problem
            ? "!" + Reason(problem)
            : Letter(context)).ToList();
        Assert.Equal(expected.Split(' ').Select(e => e.StartsWith('!') ? "!" + ReasonOf(e[1..]) : e).ToList(), actual);
    }

    [Theory]
    [InlineData("echo \"§", "double quote")]
    [InlineData("echo '§", "single quote")]
    [InlineData("echo $'§", "$'")]
    [InlineData("echo $(echo §", "$(")]
    [InlineData("echo `echo §", "backtick")]
    [InlineData("echo ${x §", "${")]
    [InlineData("echo $(( §", "$((")]
    public void UnterminatedConstructs_AreCommandProblems(string command, string what) =>
        Assert.Contains(Analyze(command).CommandProblems, p => p.Contains(what, StringComparison.Ordinal));

    [Fact]
    public void Spans_MustBeInOrder() =>
        Assert.Throws<ArgumentException>(() => ShellQuoting.Analyze("abcdef", [(3, 1), (1, 1)]));

    private static ShellAnalysis Analyze(string command)
    {
        var text = command.Replace("§", "{{ params.v }}", StringComparison.Ordinal);
        var expressions = TemplateParser.Parse(text, []);
        Assert.Equal(command.Count(c => c == '§'), expressions.Count);
        return ShellQuoting.Analyze(text, [.. expressions.Select(e => (e.Start, e.Length))]);
    }

    private static string Letter(ShellContext? context) => context switch
    {
        ShellContext.Unquoted => "U",
        ShellContext.DoubleQuoted => "D",
        ShellContext.SingleQuoted => "S",
        ShellContext.AnsiCQuoted => "A",
        ShellContext.HereDocument => "H",
        ShellContext.Comment => "C",
        _ => "?",
    };

    private static readonly string[] Reasons = ["quoted", "delimiter", "arithmetic", "${", "'$'", "backslash"];

    private static string Reason(string problem) =>
        Reasons.Select(ReasonOf).FirstOrDefault(r => problem.Contains(r, StringComparison.Ordinal)) ?? problem;

    private static string ReasonOf(string word) => word switch
    {
        "quoted" => "quoted here-document",
        "delimiter" => "here-document delimiter",
        "arithmetic" => "arithmetic expression",
        "${" => "inside ${…}",
        "'$'" => "follows '$'",
        "backslash" => "follows a backslash",
        _ => word,
    };
}
