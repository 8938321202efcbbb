using System.Reflection;
using System.Text.Json.Serialization;

namespace WideMinima.Ledger;

/// <summary>
/// The spelled names of enums (their <see cref="JsonStringEnumMemberNameAttribute"/>), the one place that reads them:
/// a name in a config file, a flag, a ledger column or a report becomes a value here and back. Names are case-sensitive.
/// </summary>
public static class EnumNames
{
    /// <summary>The spelled name of <paramref name="value"/>; an undefined value throws.</summary>
    public static string Name<T>(T value) where T : struct, Enum =>
        Table<T>.ByValue.TryGetValue(value, out string? name) ? name
        : throw new ArgumentOutOfRangeException(nameof(value), value, $"is not a defined {typeof(T).Name}");

    /// <summary>The value spelled <paramref name="name"/>, if there is one.</summary>
    public static bool TryParse<T>(string? name, out T value) where T : struct, Enum
    {
        if (name is not null && Table<T>.ByName.TryGetValue(name, out value)) return true;
        value = default;
        return false;
    }

    /// <summary>Every spelled name, in declaration order.</summary>
    public static IReadOnlyList<string> All<T>() where T : struct, Enum => Table<T>.Names;

    private static class Table<T> where T : struct, Enum
    {
        public static readonly IReadOnlyList<string> Names;
        public static readonly Dictionary<string, T> ByName = new(StringComparer.Ordinal);
        public static readonly Dictionary<T, string> ByValue = [];

        static Table()
        {
            var names = new List<string>();
            foreach (var field in typeof(T).GetFields(BindingFlags.Public | BindingFlags.Static))
            {
                string name = field.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
                    ?? throw new InvalidOperationException($"{typeof(T).Name}.{field.Name} has no spelled name.");
                var value = (T)field.GetValue(null)!;
                ByName.Add(name, value);
                ByValue.Add(value, name);
                names.Add(name);
            }
            Names = names;
        }
    }
}
