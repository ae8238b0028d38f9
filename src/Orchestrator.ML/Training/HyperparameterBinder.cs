using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace Orchestrator.ML.Training;

/// <summary>Sets a trainer's Options members from <c>hyperparameters</c> by name. The known names are the Options
/// class's own public settable members of simple types (numbers, booleans, enums, strings), minus column names, so
/// every option ML.NET documents for a trainer is reachable without a hand-kept list.</summary>
internal static class HyperparameterBinder
{
    public static IReadOnlyList<string> KnownNames(Type optionsType) =>
        [.. Members(optionsType).Select(member => Camel(member.Name)).Order(StringComparer.Ordinal)];

    public static void Apply(object options, IReadOnlyDictionary<string, object?>? hyperparameters, string trainer)
    {
        if (hyperparameters is null)
        {
            return;
        }

        var members = Members(options.GetType()).ToDictionary(member => member.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in hyperparameters)
        {
            if (!members.TryGetValue(name, out var member))
            {
                throw new ArgumentException(
                    $"Unknown hyperparameter '{name}' for trainer {trainer}; known: {string.Join(", ", KnownNames(options.GetType()))}.");
            }

            var type = TypeOf(member);
            var converted = Convert(value, Nullable.GetUnderlyingType(type) ?? type)
                ?? throw new ArgumentException(
                    $"Hyperparameter '{name}' of trainer {trainer} must be {Expected(type)}; got {Show(value)}.");
            if (member is FieldInfo field)
            {
                field.SetValue(options, converted);
            }
            else
            {
                ((PropertyInfo)member).SetValue(options, converted);
            }
        }
    }

    private static IEnumerable<MemberInfo> Members(Type optionsType)
    {
        var fields = optionsType.GetFields(BindingFlags.Public | BindingFlags.Instance)
            .Where(field => !field.IsInitOnly).Cast<MemberInfo>();
        var properties = optionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(property => property.CanWrite && property.SetMethod!.IsPublic && property.GetIndexParameters().Length == 0);
        return fields.Concat(properties)
            .Where(member => IsSimple(TypeOf(member)) && !member.Name.EndsWith("ColumnName", StringComparison.Ordinal))
            .GroupBy(member => member.Name, StringComparer.OrdinalIgnoreCase)
            .Select(group => group.First());
    }

    private static Type TypeOf(MemberInfo member) => member is FieldInfo field ? field.FieldType : ((PropertyInfo)member).PropertyType;

    private static bool IsSimple(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(int) || type == typeof(long) || type == typeof(float) || type == typeof(double)
            || type == typeof(bool) || type == typeof(string) || type.IsEnum;
    }

    /// <summary>The value as <paramref name="type"/>, or null when it does not fit (a fraction for an integer, text
    /// for a number, an enum name that does not exist).</summary>
    private static object? Convert(object? value, Type type)
    {
        if (value is JsonElement element)
        {
            value = element.ValueKind switch
            {
                JsonValueKind.Number => element.TryGetInt64(out var whole) ? whole : element.GetDouble(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.String => element.GetString(),
                _ => null,
            };
        }

        if (value is null)
        {
            return null;
        }

        if (type == typeof(bool))
        {
            return value as bool?;
        }

        if (type == typeof(string))
        {
            return value as string;
        }

        if (type.IsEnum)
        {
            return value is string text && Enum.TryParse(type, text, ignoreCase: true, out var parsed) && Enum.IsDefined(type, parsed) ? parsed : null;
        }

        var number = value switch
        {
            int i => i,
            long l => l,
            float f => f,
            double d => d,
            decimal m => (double)m,
            _ => (double?)null,
        };
        if (number is not { } n || double.IsNaN(n))
        {
            return null;
        }

        if (type == typeof(double))
        {
            return n;
        }

        if (type == typeof(float))
        {
            return (float)n;
        }

        if (Math.Floor(n) != n)
        {
            return null;
        }

        if (type == typeof(int))
        {
            return n is >= int.MinValue and <= int.MaxValue ? (int)n : null;
        }

        return n is >= long.MinValue and <= long.MaxValue ? (long)n : null;
    }

    private static string Expected(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum)
        {
            return "one of " + string.Join(", ", Enum.GetNames(type).Select(name => $"\"{Camel(name)}\""));
        }

        return type == typeof(int) || type == typeof(long) ? "an integer"
            : type == typeof(bool) ? "true or false"
            : type == typeof(string) ? "a string"
            : "a number";
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        JsonElement element => element.GetRawText(),
        string text => $"\"{text}\"",
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "?",
    };

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
