using TorchSharp;
using static TorchSharp.torch;

namespace WideMinima.Models;

/// <summary>
/// Everything needed to rebuild a network before its weights are loaded: what a saved model records.
/// </summary>
/// <param name="Kind">MLP, CNN or custom.</param>
/// <param name="InputSize">Features per example.</param>
/// <param name="ClassCount">Output classes.</param>
/// <param name="HiddenSizes">MLP hidden layer widths.</param>
/// <param name="ImageShape">Channels, height and width for the CNN.</param>
/// <param name="Standardized">Whether the network starts with a <see cref="Standardize"/> layer.</param>
public sealed record NetworkSpec(ModelKind Kind, int InputSize, int ClassCount, int[] HiddenSizes, ImageShape? ImageShape, bool Standardized)
{
    /// <summary>Builds the network. Custom models need <paramref name="factory"/>.</summary>
    internal nn.Module<Tensor, Tensor> Build(float[]? mean, float[]? std, Func<int, int, nn.Module<Tensor, Tensor>>? factory)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        if (Standardized) layers.Add(("standardize", new Standardize(mean ?? new float[InputSize], std ?? Enumerable.Repeat(1f, InputSize).ToArray())));
        switch (Kind)
        {
            case ModelKind.Mlp:
                int width = InputSize;
                for (int i = 0; i < HiddenSizes.Length; i++)
                {
                    layers.Add(($"fc{i}", nn.Linear(width, HiddenSizes[i])));
                    layers.Add(($"relu{i}", nn.ReLU()));
                    width = HiddenSizes[i];
                }
                layers.Add(("classifier", nn.Linear(width, ClassCount)));
                break;
            case ModelKind.Cnn:
                var shape = ImageShape ?? throw new InvalidOperationException("A CNN needs an image shape.");
                int h = shape.Height / 4, w = shape.Width / 4;
                layers.Add(("image", nn.Unflatten(1, [shape.Channels, shape.Height, shape.Width])));
                layers.Add(("conv1", nn.Conv2d(shape.Channels, 32, 3, padding: 1)));
                layers.Add(("bn1", nn.BatchNorm2d(32)));
                layers.Add(("relu1", nn.ReLU()));
                layers.Add(("pool1", nn.MaxPool2d(2)));
                layers.Add(("conv2", nn.Conv2d(32, 64, 3, padding: 1)));
                layers.Add(("bn2", nn.BatchNorm2d(64)));
                layers.Add(("relu2", nn.ReLU()));
                layers.Add(("pool2", nn.MaxPool2d(2)));
                layers.Add(("flatten", nn.Flatten()));
                layers.Add(("fc", nn.Linear(64 * h * w, 256)));
                layers.Add(("relu3", nn.ReLU()));
                layers.Add(("dropout", nn.Dropout(0.25)));
                layers.Add(("classifier", nn.Linear(256, ClassCount)));
                break;
            case ModelKind.ResNet18:
                layers.Add(("resnet18", new ResNet18(ImageShape ?? throw new InvalidOperationException("ResNet-18 needs an image shape."), ClassCount)));
                break;
            case ModelKind.Custom:
                var custom = factory?.Invoke(InputSize, ClassCount)
                    ?? throw new InvalidOperationException("A custom model needs its ModelFactory (to train, and again to load).");
                layers.Add(("custom", custom));
                break;
            default:
                throw new InvalidOperationException($"Unknown model kind {Kind}.");
        }
        return nn.Sequential(layers);
    }
}

/// <summary>The shape of image features: <c>Channels x Height x Width</c>, row-major.</summary>
/// <param name="Channels">Colour channels (1 for Fashion-MNIST).</param>
/// <param name="Height">Rows.</param>
/// <param name="Width">Columns.</param>
public sealed record ImageShape(int Channels, int Height, int Width)
{
    /// <summary>Values per image.</summary>
    public int Size => Channels * Height * Width;
}
