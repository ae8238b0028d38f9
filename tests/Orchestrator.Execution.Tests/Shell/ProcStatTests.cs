using Orchestrator.Execution.Shell;

namespace Orchestrator.Execution.Tests.Shell;

public sealed class ProcStatTests
{
    private const string Tail = "0 0 0 0 0 0 0 0 20 0 1 0 987654 8192000 100 18446744073709551615";

    [Theory]
    [InlineData("4242 (bash) S 1 4242 4200 0 -1 4194560 " + Tail, 'S', 4242, 4200, 987654L)]
    [InlineData("17 (my prog) R 1 17 17 0 -1 4194560 " + Tail, 'R', 17, 17, 987654L)]
    [InlineData("99 (a) b) (c) Z 1 50 51 0 -1 4194560 " + Tail, 'Z', 50, 51, 987654L)] // the name holds ") " itself
    [InlineData("5 ()) D 1 -1 0 0 -1 4194560 " + Tail, 'D', -1, 0, 987654L)]
    public void Parse_CountsFieldsFromTheLastParenthesis(string line, char state, int group, int session, long start) =>
        Assert.Equal(new ProcStat(state, group, session, start), ProcStat.Parse(line));

    [Theory]
    [InlineData("")]
    [InlineData("4242 bash S 1 4242 4200")]
    [InlineData("4242 (bash) S 1 4242 4200 0 -1")] // truncated before field 22
    [InlineData("4242 (bash) S 1 x 4200 0 -1 4194560 " + Tail)]
    [InlineData("4242 (bash) SS 1 4242 4200 0 -1 4194560 " + Tail)]
    [InlineData("4242 (bash) S 1 4242 4200 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 -5 8192000")]
    public void Parse_RejectsWhatIsNotAStatLine(string line) => Assert.Null(ProcStat.Parse(line));

    [Theory]
    [InlineData('Z', true)]
    [InlineData('X', true)]
    [InlineData('S', false)]
    [InlineData('R', false)]
    [InlineData('D', false)]
    [InlineData('T', false)]
    public void IsDead_OnlyForZombiesAndDeadProcesses(char state, bool dead) => Assert.Equal(dead, new ProcStat(state, 1, 1, 1).IsDead);

    [Fact]
    public void Read_ThisProcess_MatchesItsOwnStatFile()
    {
        var self = ProcStat.Read(Environment.ProcessId)!.Value;

        Assert.Equal(ProcessGroups.StartTicks(Environment.ProcessId), self.StartTime);
        Assert.Null(ProcStat.Read(int.MaxValue));
    }
}
