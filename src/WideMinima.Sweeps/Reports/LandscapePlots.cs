using System.Globalization;
using System.Text;
using ScottPlot;
using WideMinima.Sharpness;
using WideMinima.Reports;

namespace WideMinima.Sweeps.Reports;

/// <summary>Draws loss-landscape numbers from the core as PNGs (ScottPlot) and writes them as CSV.</summary>
public static class LandscapePlots
{
    private const int Width = 900;
    private const int Height = 640;

    /// <summary>A line plot of one or more 1-D slices or interpolations, each with its label.</summary>
    public static void Line(string path, string title, string xLabel, IReadOnlyList<(string Label, LandscapeLine Line)> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < lines.Count; i++)
        {
            var (label, line) = lines[i];
            var scatter = plot.Add.Scatter(line.Coordinates.ToArray(), line.Losses.ToArray(), palette.GetColor(i));
            scatter.LineWidth = 2;
            scatter.MarkerSize = 4;
            scatter.LegendText = label;
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel("Mean training loss on the sample");
        if (lines.Count > 1) plot.ShowLegend(Edge.Right);
        Save(plot, path);
    }

    /// <summary>A heatmap of a 2-D surface with contour lines over it and a colour bar.</summary>
    public static void Surface(string path, string title, LandscapeSurface surface)
    {
        ArgumentNullException.ThrowIfNull(surface);
        int ny = surface.Y.Count, nx = surface.X.Count;
        var intensities = new double[ny, nx];
        var points = new Coordinates3d[ny, nx];
        for (int j = 0; j < ny; j++)
        {
            for (int i = 0; i < nx; i++)
            {
                intensities[ny - 1 - j, i] = surface.Losses[j][i]; // row 0 is drawn at the top
                points[j, i] = new Coordinates3d(surface.X[i], surface.Y[j], surface.Losses[j][i]);
            }
        }
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(intensities);
        heatmap.Position = new CoordinateRect(surface.X[0], surface.X[^1], surface.Y[0], surface.Y[^1]); // the outer cells' centres
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(heatmap).Label = "loss";
        var contours = plot.Add.ContourLines(points);
        contours.LineColor = Colors.White.WithAlpha(0.8);
        plot.Title(title);
        plot.XLabel("α (first filter-normalised direction)");
        plot.YLabel("β (second direction)");
        Save(plot, path);
    }

    /// <summary>A line as CSV: <c>coordinate,loss</c>.</summary>
    public static string Csv(LandscapeLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var sb = new StringBuilder("coordinate,loss\n");
        for (int i = 0; i < line.Coordinates.Count; i++)
            sb.Append(CultureInfo.InvariantCulture, $"{line.Coordinates[i]:R},{line.Losses[i]:R}\n");
        return sb.ToString();
    }

    /// <summary>A surface as CSV: <c>alpha,beta,loss</c>, one row per grid point.</summary>
    public static string Csv(LandscapeSurface surface)
    {
        ArgumentNullException.ThrowIfNull(surface);
        var sb = new StringBuilder("alpha,beta,loss\n");
        for (int j = 0; j < surface.Y.Count; j++)
        {
            for (int i = 0; i < surface.X.Count; i++)
                sb.Append(CultureInfo.InvariantCulture, $"{surface.X[i]:R},{surface.Y[j]:R},{surface.Losses[j][i]:R}\n");
        }
        return sb.ToString();
    }

    private static void Save(Plot plot, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string temporary = path + ".tmp.png";
        plot.SavePng(temporary, Width, Height);
        File.Move(temporary, path, overwrite: true);
    }
}
