using Microsoft.ML.Data;

namespace WideMinima.MLNet;

/// <summary>
/// What the trainer learned about the label column: whether it is a key (and its key values, so that the
/// predicted label gets the same key type) or an integer whose values 0..K-1 are the classes.
/// </summary>
/// <param name="IsKey">True for a key-typed label.</param>
/// <param name="ClassCount">Classes: the key count, or the largest integer label + 1.</param>
/// <param name="KeyValues">The names of the classes, from the key values annotation or the integers' text.</param>
public sealed record LabelInfo(bool IsKey, int ClassCount, string[] KeyValues)
{
    internal static bool IsIntegerType(DataViewType type) =>
        type == NumberDataViewType.Byte || type == NumberDataViewType.SByte || type == NumberDataViewType.Int16
        || type == NumberDataViewType.UInt16 || type == NumberDataViewType.Int32 || type == NumberDataViewType.UInt32
        || type == NumberDataViewType.Int64 || type == NumberDataViewType.UInt64;
}
