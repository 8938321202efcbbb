namespace WideMinima.Data;

/// <summary>Which Fashion-MNIST split to load.</summary>
public enum FashionMnistSplit
{
    /// <summary>The 60,000 training images.</summary>
    Train,
    /// <summary>The 10,000 test images.</summary>
    Test,
}
