namespace Orchestrator.Core.Templating;

/// <summary>Where a template sits in a bash command: this decides how a reference to its value must be written
/// for bash to read the value as one piece of data.</summary>
public enum ShellContext
{
    /// <summary>Outside any quotes, including inside <c>$(…)</c> and backticks: <c>"${V}"</c>.</summary>
    Unquoted,
    /// <summary>Inside <c>"…"</c>: <c>${V}</c>.</summary>
    DoubleQuoted,
    /// <summary>Inside <c>'…'</c>: close, expand, reopen: <c>'"${V}"'</c>.</summary>
    SingleQuoted,
    /// <summary>Inside <c>$'…'</c>: <c>'"${V}"$'</c>.</summary>
    AnsiCQuoted,
    /// <summary>In the body of a here-document with an unquoted delimiter (<c>&lt;&lt;EOF</c>): <c>${V}</c>.</summary>
    HereDocument,
    /// <summary>In a <c># comment</c>: never read by bash.</summary>
    Comment,
}
