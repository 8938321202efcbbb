using TorchSharp;
using static TorchSharp.torch;

namespace WideMinima.Tests.Optim;

[TestClass]
public sealed class TorchRuntimeTests
{
    [TestMethod]
    public void Libtorch_loads_and_runs_a_forward_and_backward_pass()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var layer = nn.Linear(4, 3);
        var x = randn(8, 4);
        var target = tensor(new long[] { 0, 1, 2, 0, 1, 2, 0, 1 });
        var loss = nn.functional.cross_entropy(layer.call(x), target);
        loss.backward();

        Assert.IsTrue(double.IsFinite(loss.ToDouble()));
        var grad = layer.weight!.grad;
        Assert.IsNotNull(grad);
        CollectionAssert.AreEqual(new long[] { 3, 4 }, grad.shape);
        Assert.IsGreaterThan(0.0, grad.abs().sum().ToDouble(), "backward produced an all-zero gradient");
    }
}
