using System.Text;

namespace ElasticRedPacket.LoadTests.Report;

/// <summary>A line chart as inline SVG (no scripts, no external files): x in seconds, one polyline per series, grid and legend.</summary>
public static class SvgChart
{
    private const int Width = 900;
    private const int Height = 280;
    private const int Left = 70;
    private const int Right = 20;
    private const int Top = 30;
    private const int Bottom = 40;

    public sealed record Series(string Name, string Color, IReadOnlyList<double> Values);

    public static string Line(string title, string yUnit, IReadOnlyList<Series> series)
    {
        var inv = CultureInfo.InvariantCulture;
        var points = series.Count == 0 ? 0 : series.Max(s => s.Values.Count);
        var yMax = NiceCeiling(series.SelectMany(s => s.Values).DefaultIfEmpty(0).Max());
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        double X(int i) => Left + (points <= 1 ? 0 : plotWidth * i / (double)(points - 1));
        double Y(double v) => Top + plotHeight - (plotHeight * v / yMax);

        var svg = new StringBuilder();
        svg.Append(inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"{Html(title)}\">");
        svg.Append(inv, $"<text x=\"{Left}\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{Html(title)}</text>");
        for (var g = 0; g <= 4; g++)
        {
            var v = yMax * g / 4;
            var y = Y(v);
            svg.Append(inv, $"<line x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{Width - Right}\" y2=\"{y:0.#}\" stroke=\"#ddd\"/>");
            svg.Append(inv, $"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" font-size=\"11\" text-anchor=\"end\">{v:0.##} {Html(yUnit)}</text>");
        }
        var step = Math.Max(1, points / 10);
        for (var i = 0; i < points; i += step)
        {
            svg.Append(inv, $"<text x=\"{X(i):0.#}\" y=\"{Height - Bottom + 16}\" font-size=\"11\" text-anchor=\"middle\">{i}s</text>");
        }
        svg.Append(inv, $"<line x1=\"{Left}\" y1=\"{Top + plotHeight}\" x2=\"{Width - Right}\" y2=\"{Top + plotHeight}\" stroke=\"#888\"/>");
        var legendX = Left + 10;
        foreach (var s in series)
        {
            if (s.Values.Count > 0)
            {
                svg.Append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").Append(s.Color).Append("\" points=\"");
                for (var i = 0; i < s.Values.Count; i++)
                {
                    svg.Append(inv, $"{X(i):0.#},{Y(s.Values[i]):0.#} ");
                }
                svg.Append("\"/>");
            }
            svg.Append(inv, $"<rect x=\"{legendX}\" y=\"{Height - 14}\" width=\"12\" height=\"4\" fill=\"{s.Color}\"/>");
            svg.Append(inv, $"<text x=\"{legendX + 16}\" y=\"{Height - 9}\" font-size=\"11\">{Html(s.Name)}</text>");
            legendX += 30 + (8 * s.Name.Length);
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    internal static double NiceCeiling(double value)
    {
        if (value <= 0 || !double.IsFinite(value))
        {
            return 1;
        }
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var factor in new[] { 1, 2, 2.5, 5, 10 })
        {
            if (factor * magnitude >= value)
            {
                return factor * magnitude;
            }
        }
        return 10 * magnitude;
    }

    internal static string Html(string text) => System.Net.WebUtility.HtmlEncode(text);
}
