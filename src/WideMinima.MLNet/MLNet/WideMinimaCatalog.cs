using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using WideMinima.Schedules;
using WideMinima.Sharpness;
using WideMinima.Training;

namespace WideMinima.MLNet;

/// <summary>ML.NET catalog entry points: <c>mlContext.MulticlassClassification.Trainers.WideMinima(...)</c> and width measurement.</summary>
public static class WideMinimaCatalog
{
    /// <summary>The WideMinima trainer with the common arguments; everything else at its documented default.</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">The label column (key or integer).</param>
    /// <param name="featureColumnName">The features column (known-size vector of float).</param>
    /// <param name="epochs">The training budget in epochs.</param>
    /// <param name="exploreFraction">The Knee schedule's explore share of the budget (0.5, the paper's recommendation).</param>
    public static WideMinimaTrainer WideMinima(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = WideMinimaTrainer.Options.DefaultLabelColumnName, string featureColumnName = WideMinimaTrainer.Options.DefaultFeatureColumnName,
        int epochs = TrainingOptions.DefaultEpochs, double exploreFraction = KneeScheduleOptions.DefaultExploreFraction) =>
        catalog.WideMinima(new WideMinimaTrainer.Options
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            Epochs = epochs,
            Schedule = new KneeScheduleOptions { ExploreFraction = exploreFraction },
        });

    /// <summary>The WideMinima trainer with full options.</summary>
    public static WideMinimaTrainer WideMinima(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, WideMinimaTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new WideMinimaTrainer(EnvironmentOf(catalog), options);
    }

    /// <summary>
    /// Measures the Keskar width of the WideMinima model inside <paramref name="model"/> (a WideMinima transformer or a
    /// chain that holds one) on <paramref name="data"/>: transforms before it in the chain are applied first.
    /// </summary>
    public static WidthReport MeasureWidth(this MulticlassClassificationCatalog catalog, ITransformer model, IDataView data,
        KeskarWidthOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var (before, wideMinima, _) = WideMinimaModel.Split(model);
        foreach (var t in before) data = t.Transform(data);
        return wideMinima.MeasureWidth(data, options);
    }

    /// <summary>
    /// The Hessian's top eigenvalue and trace of the WideMinima model inside <paramref name="model"/> on <paramref name="data"/>
    /// (see <see cref="HessianSpectrum"/>); transforms before it in the chain are applied first.
    /// </summary>
    public static HessianReport MeasureHessian(this MulticlassClassificationCatalog catalog, ITransformer model, IDataView data,
        HessianOptions? options = null)
    {
        var (wideMinima, input) = Locate(catalog, model, data);
        return wideMinima.MeasureHessian(input, options);
    }

    /// <summary>
    /// The adaptive sharpness of the WideMinima model inside <paramref name="model"/> on <paramref name="data"/>
    /// (see <see cref="AdaptiveSharpness"/>); transforms before it in the chain are applied first.
    /// </summary>
    public static AdaptiveSharpnessReport MeasureAdaptiveSharpness(this MulticlassClassificationCatalog catalog, ITransformer model, IDataView data,
        AdaptiveSharpnessOptions? options = null)
    {
        var (wideMinima, input) = Locate(catalog, model, data);
        return wideMinima.MeasureAdaptiveSharpness(input, options);
    }

    /// <summary>A 1-D loss-landscape slice of the WideMinima model inside <paramref name="model"/> (see <see cref="LossLandscape.Slice"/>).</summary>
    public static LandscapeLine LossLandscapeSlice(this MulticlassClassificationCatalog catalog, ITransformer model, IDataView data,
        LandscapeOptions? options = null)
    {
        var (wideMinima, input) = Locate(catalog, model, data);
        return wideMinima.LossLandscapeSlice(input, options);
    }

    /// <summary>A 2-D loss-landscape surface of the WideMinima model inside <paramref name="model"/> (see <see cref="LossLandscape.Surface"/>).</summary>
    public static LandscapeSurface LossLandscapeSurface(this MulticlassClassificationCatalog catalog, ITransformer model, IDataView data,
        LandscapeOptions? options = null)
    {
        var (wideMinima, input) = Locate(catalog, model, data);
        return wideMinima.LossLandscapeSurface(input, options);
    }

    /// <summary>
    /// The loss along the straight line between two trained models' weights (<paramref name="model"/> at 0, <paramref name="other"/>
    /// at 1), e.g. Knee against step at the same seed (see <see cref="LossLandscape.Interpolate"/>).
    /// </summary>
    public static LandscapeLine LossInterpolation(this MulticlassClassificationCatalog catalog, ITransformer model, ITransformer other, IDataView data,
        LandscapeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(other);
        var (wideMinima, input) = Locate(catalog, model, data);
        var (_, second, _) = WideMinimaModel.Split(other);
        return wideMinima.LossInterpolation(second, input, options);
    }

    private static (WideMinimaTransformer Model, IDataView Data) Locate(MulticlassClassificationCatalog catalog, ITransformer model, IDataView data)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var (before, wideMinima, _) = WideMinimaModel.Split(model);
        foreach (var t in before) data = t.Transform(data);
        return (wideMinima, data);
    }

    // Third-party catalog extensions have no public way to reach the catalog's MLContext (ML.NET keeps
    // CatalogUtils internal), so read the internal property once, and say clearly if it ever moves.
    private static readonly PropertyInfo? EnvironmentProperty =
        typeof(TrainCatalogBase.CatalogInstantiatorBase).GetProperty("Microsoft.ML.Data.IInternalCatalog.Environment", BindingFlags.Instance | BindingFlags.NonPublic);

    private static IHostEnvironment EnvironmentOf(TrainCatalogBase.CatalogInstantiatorBase catalog) =>
        EnvironmentProperty?.GetValue(catalog) as IHostEnvironment
            ?? throw new NotSupportedException("This ML.NET version does not expose the catalog's MLContext; create the trainer with new WideMinimaTrainer(mlContext, options).");
}
