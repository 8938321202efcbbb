using WideMinima.Sharpness;

namespace WideMinima.Tests.Sharpness;

/// <summary>Pins the two width protocols that ship: a change to either must be deliberate (and change docs/design.md).</summary>
[TestClass]
public sealed class KeskarWidthOptionsTests
{
    [TestMethod]
    public void The_reference_protocol_is_pinned()
    {
        var o = new KeskarWidthOptions();
        Assert.AreEqual(1e-4, o.Epsilon, "Epsilon: the paper's box size");
        Assert.AreEqual(AscentMethod.Sgd, o.Method, "Method: plain SGD ascent, as the reference");
        Assert.AreEqual(1e-3, o.LearningRate, "LearningRate: the reference's");
        Assert.AreEqual(1000, o.MaxSteps, "MaxSteps: the reference's");
        Assert.AreEqual(0.25, o.SignStepFraction, "SignStepFraction (unused by SGD)");
        Assert.AreEqual(2048, o.SampleSize, "SampleSize: a seeded sample, not the whole set");
        Assert.AreEqual(256, o.BatchSize, "BatchSize");
        Assert.AreEqual(10, o.EvaluateEvery, "EvaluateEvery");
        Assert.IsNull(o.Patience, "Patience: the reference runs every step");
        Assert.AreEqual(1e-3, o.ImprovementTolerance, "ImprovementTolerance");
        Assert.AreEqual(0.1, o.RandomStartFraction, "RandomStartFraction");
        Assert.IsFalse(o.TrainMode, "TrainMode: eval mode");
        Assert.AreEqual(0, o.Seed, "Seed");
    }

    [TestMethod]
    public void The_fast_protocol_is_pinned_as_benchmarked()
    {
        // docs/benchmarks.md (bench width) and docs/design.md describe exactly this protocol.
        var o = KeskarWidthOptions.Fast();
        Assert.AreEqual(1e-4, o.Epsilon, "Epsilon: the same box as the reference");
        Assert.AreEqual(AscentMethod.SignGradient, o.Method, "Method: projected sign-gradient ascent");
        Assert.AreEqual(0.5, o.SignStepFraction, "SignStepFraction: steps of half the box radius");
        Assert.AreEqual(15, o.MaxSteps, "MaxSteps: at most 15 steps");
        Assert.AreEqual(2048, o.SampleSize, "SampleSize: 2048 examples");
        Assert.AreEqual(2048, o.BatchSize, "BatchSize: the whole sample in one batch, so every step is an exact evaluation");
        Assert.AreEqual(1, o.EvaluateEvery, "EvaluateEvery: every step");
        Assert.AreEqual(2, o.Patience, "Patience: stop after 2 steps without a new maximum");
        Assert.AreEqual(0.01, o.ImprovementTolerance, "ImprovementTolerance: a new maximum must add 1% of the climb so far");
        Assert.AreEqual(0.1, o.RandomStartFraction, "RandomStartFraction: the same random start as the reference");
        Assert.IsFalse(o.TrainMode, "TrainMode: eval mode");
        Assert.AreEqual(0, o.Seed, "Seed");
        Assert.AreEqual(1e-3, o.LearningRate, "LearningRate (unused by sign ascent)");
        o.Validate();
    }

    [TestMethod]
    public void Fast_returns_a_fresh_copy_each_time()
    {
        var a = KeskarWidthOptions.Fast();
        a.MaxSteps = 3;
        Assert.AreEqual(15, KeskarWidthOptions.Fast().MaxSteps, "editing one caller's options never changes the protocol");
    }
}
