using System.Globalization;
using Orchestrator.Core.Pools;

namespace Orchestrator.Application.Pools;

/// <summary>What a pool's fields may hold. Each check throws Invalid naming the field and what is expected, before
/// anything is written.</summary>
public static class PoolRules
{
    public const int MaxSlots = PoolNames.MaxSlots;
    public const int MaxDescription = 500;

    public static void CheckName(string? name)
    {
        if (!PoolNames.IsValid(name))
        {
            throw ApplicationProblemException.Invalid($"name must be {PoolNames.Expected}, not '{name}'", "name");
        }
    }

    public static void CheckSlots(int slots)
    {
        if (slots is < 0 or > MaxSlots)
        {
            throw ApplicationProblemException.Invalid(
                string.Create(CultureInfo.InvariantCulture, $"slots must be a whole number from 0 to {MaxSlots:N0} (0 admits nothing), not {slots}"), "slots");
        }
    }

    /// <summary>The description as stored: blank means none.</summary>
    public static string? Description(string? description)
    {
        if (description is not null && description.Length > MaxDescription)
        {
            throw ApplicationProblemException.Invalid(
                string.Create(CultureInfo.InvariantCulture, $"description must be at most {MaxDescription} characters, not {description.Length}"), "description");
        }

        // Shown in terminals (`pools list`) and pages: no control characters (escape sequences, line breaks).
        if (description is not null && description.Any(char.IsControl))
        {
            throw ApplicationProblemException.Invalid("description must be one line of printable text (no control characters such as line breaks or escapes)", "description");
        }

        return string.IsNullOrWhiteSpace(description) ? null : description;
    }
}
