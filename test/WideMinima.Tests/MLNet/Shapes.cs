using System.Reflection;
using Microsoft.ML;

namespace WideMinima.Tests.MLNet;

/// <summary>
/// ML.NET builds a <see cref="SchemaShape"/> from a schema with an internal factory that pipelines call;
/// tests call it the same way to exercise <c>GetOutputSchema</c> directly.
/// </summary>
internal static class Shapes
{
    private static readonly MethodInfo Create = typeof(SchemaShape).GetMethod("Create", BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public, [typeof(DataViewSchema)])
        ?? throw new InvalidOperationException("SchemaShape.Create(DataViewSchema) not found");

    public static SchemaShape Of(DataViewSchema schema) => (SchemaShape)Create.Invoke(null, [schema])!;
}
