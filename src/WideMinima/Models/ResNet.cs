using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace WideMinima.Models;

/// <summary>
/// ResNet-18 for 32 x 32 images, as in the paper's CIFAR-10 experiments (and kuangliu's widely used PyTorch
/// version): a 3x3 stem without max-pool, four stages of two basic blocks (64, 128, 256, 512 channels, strides
/// 1, 2, 2, 2), global average pooling and a linear classifier. Input: flat channels-first images.
/// </summary>
internal sealed class ResNet18 : nn.Module<Tensor, Tensor>
{
    private readonly Unflatten image;
    private readonly Conv2d stem;
    private readonly BatchNorm2d stemNorm;
    private readonly Sequential stages;
    private readonly Linear classifier;

    public ResNet18(ImageShape shape, int classes) : base(nameof(ResNet18))
    {
        image = nn.Unflatten(1, [shape.Channels, shape.Height, shape.Width]);
        stem = nn.Conv2d(shape.Channels, 64, 3, padding: 1, bias: false);
        stemNorm = nn.BatchNorm2d(64);
        var blocks = new List<(string, nn.Module<Tensor, Tensor>)>();
        int inChannels = 64;
        foreach (var (channels, stride, index) in new[] { (64, 1, 1), (128, 2, 2), (256, 2, 3), (512, 2, 4) })
        {
            blocks.Add(($"layer{index}_0", new BasicBlock(inChannels, channels, stride)));
            blocks.Add(($"layer{index}_1", new BasicBlock(channels, channels, 1)));
            inChannels = channels;
        }
        stages = nn.Sequential(blocks);
        classifier = nn.Linear(512, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = nn.functional.relu(stemNorm.call(stem.call(image.call(input))));
        x = stages.call(x);
        x = nn.functional.adaptive_avg_pool2d(x, [1, 1]).flatten(1);
        return classifier.call(x).MoveToOuterDisposeScope();
    }

    /// <summary>Two 3x3 convolutions with batch norm and a residual connection (1x1 projection when the shape changes).</summary>
    private sealed class BasicBlock : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d conv1, conv2;
        private readonly BatchNorm2d norm1, norm2;
        private readonly Sequential? shortcut;

        public BasicBlock(int inChannels, int channels, int stride) : base(nameof(BasicBlock))
        {
            conv1 = nn.Conv2d(inChannels, channels, 3, stride: stride, padding: 1, bias: false);
            norm1 = nn.BatchNorm2d(channels);
            conv2 = nn.Conv2d(channels, channels, 3, padding: 1, bias: false);
            norm2 = nn.BatchNorm2d(channels);
            if (stride != 1 || inChannels != channels)
                shortcut = nn.Sequential(nn.Conv2d(inChannels, channels, 1, stride: stride, bias: false), nn.BatchNorm2d(channels));
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var x = nn.functional.relu(norm1.call(conv1.call(input)));
            x = norm2.call(conv2.call(x));
            x = x + (shortcut is null ? input : shortcut.call(input));
            return nn.functional.relu(x).MoveToOuterDisposeScope();
        }
    }
}
