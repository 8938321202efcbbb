using System.Text.Json.Serialization;

namespace WideMinima.Training;

/// <summary>Training-time data augmentation for image-shaped features.</summary>
public enum Augmentation
{
    /// <summary>None.</summary>
    [JsonStringEnumMemberName("none")] None,
    /// <summary>
    /// The standard CIFAR augmentation of the paper's experiments: pad 4 pixels with zeros, take a random
    /// crop of the original size, and flip horizontally with probability 1/2, independently per example.
    /// </summary>
    [JsonStringEnumMemberName("crop-and-flip")] CropAndFlip,
}
