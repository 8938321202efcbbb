using System.Text.Json.Serialization;

namespace WideMinima.Models;

/// <summary>The network the trainer builds.</summary>
public enum ModelKind
{
    /// <summary>A multi-layer perceptron: Linear-ReLU blocks of <c>HiddenSizes</c>, then a linear classifier.</summary>
    [JsonStringEnumMemberName("mlp")] Mlp,
    /// <summary>
    /// A small CNN for image-shaped features: two 3x3 convolution blocks (32 and 64 channels, batch norm,
    /// ReLU, 2x2 max-pool), a 256-unit hidden layer with dropout 0.25, then a linear classifier.
    /// </summary>
    [JsonStringEnumMemberName("cnn")] Cnn,
    /// <summary>ResNet-18 for 32 x 32 images (the paper's CIFAR-10 network); needs image-shaped features.</summary>
    [JsonStringEnumMemberName("resnet18")] ResNet18,
    /// <summary>Whatever <c>ModelFactory</c> builds.</summary>
    [JsonStringEnumMemberName("custom")] Custom,
}
