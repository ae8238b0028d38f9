using System.Globalization;

namespace Orchestrator.Storage.Sql;

/// <summary>Serving's request ids are UUIDv7 in 32-digit hex (<c>Guid.ToString("N")</c>): their first 48 bits are the
/// Unix milliseconds they were made at, which is also the logged row's time. That is how a label finds the one
/// chunk holding its row without an index over every row.</summary>
internal static class InferenceRequestIds
{
    /// <summary>The Unix milliseconds embedded in a UUIDv7 hex id; false for anything else (another form, another
    /// UUID version, not hex).</summary>
    public static bool TryGetUnixMs(string requestId, out long unixMs)
    {
        unixMs = 0;
        if (requestId is not { Length: 32 } || requestId[12] != '7' || "89abAB".IndexOf(requestId[16], StringComparison.Ordinal) < 0)
        {
            return false;
        }

        foreach (var c in requestId)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        unixMs = long.Parse(requestId.AsSpan(0, 12), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        return true;
    }
}
