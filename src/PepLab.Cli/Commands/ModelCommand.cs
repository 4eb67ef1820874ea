using System.CommandLine;
using System.Globalization;
using PepLab.Core;
using PepLab.Learn;
using static PepLab.Cli.Cli;

namespace PepLab.Cli.Commands;

/// <summary><c>pep model summary</c>, <c>pep model filters</c> and <c>pep model export</c>.</summary>
internal static class ModelCommand
{
    public static Command Build()
    {
        var cmd = new Command("model", "Inspect and export models: layer table (summary), first-layer kernels (filters), PyTorch export (export).");
        cmd.Subcommands.Add(BuildSummary());
        cmd.Subcommands.Add(BuildFilters());
        cmd.Subcommands.Add(BuildExport());
        return cmd;
    }

    private static Command BuildSummary()
    {
        var folder = new Argument<string?>("MODEL") { Description = "A trained model folder (optional; else --model or --layers).", Arity = ArgumentArity.ZeroOrOne };
        var model = PathOption("--model", $"Built-in model: {string.Join(", ", Architectures.Names)}.", "-m");
        var layers = PathOption("--layers",
            "A model in the seed's notation, layers joined by '=>': CONV(filters[,kK][,sS][,same|valid|circular|pN][,activation]) (default k3 s1 same relu), " +
            "BN[(momentum)], MAXPOOL(k[,sS][,padding]) / AVGPOOL (stride = k), FC(units[,activation]) (per site before FLATTEN/GAP), DO(rate), FLATTEN, GAP, RELU; " +
            "optional INPUT(channels) first; the last layer is FC(1), linear unless stated.");
        var encoding = PathOption("--encoding", "Input encoding (ordinal, occupancy, onehot); default: the model's own.");
        var head = Option("--head", "point or gaussian (two outputs).", "point");
        var nx = Option("--nx", "Lattice rows.", 128);
        var ny = Option("--ny", "Lattice columns.", 128);
        var json = Output.JsonOption();
        var cmd = new Command("summary", "Each layer's output shape, parameter count and receptive field (Araujo et al. 2019) on an nx x ny input; rejects strides and paddings that do not tile it.");
        cmd.Arguments.Add(folder);
        foreach (var o in new Option[] { model, layers, encoding, head, nx, ny, json }) cmd.Options.Add(o);
        cmd.SetAction(r => Guard("model summary", () =>
        {
            ModelConfig config;
            int rows = r.GetValue(nx), cols = r.GetValue(ny);
            if (rows < 1 || cols < 1) throw new PepLabInputException("--nx/--ny", "must be at least 1");
            if (r.GetValue(folder) is { } path)
            {
                if (r.GetValue(model) is not null || r.GetValue(layers) is not null)
                    throw new PepLabInputException("MODEL", "give a model folder or --model/--layers, not both");
                using var loaded = ModelFile.Load(path);
                config = loaded.Config;
                if (r.GetResult(nx) is null || r.GetResult(nx)!.Implicit) rows = loaded.Document.Input.Nx;
                if (r.GetResult(ny) is null || r.GetResult(ny)!.Implicit) cols = loaded.Document.Input.Ny;
                if (!loaded.Document.Input.SizeAgnostic) loaded.RequireLattice(rows, cols, $"{rows}x{cols}");
            }
            else
            {
                config = Architectures.Resolve(r.GetValue(model), r.GetValue(layers),
                    r.GetValue(encoding) is { } e ? ModelSettingNames.ParseEncoding(e) : null, null, ModelSettingNames.ParseHead(r.GetValue(head)!));
            }
            var summary = ModelSummary.Of(config, rows, cols);
            if (r.GetValue(json))
            {
                Output.Json("model-summary", summary);
                return Ok;
            }
            Console.WriteLine($"{summary.Name}: {summary.Layers}");
            Console.WriteLine($"input: {summary.InputChannels} x {rows} x {cols} ({summary.Encoding} encoding), target {summary.Target}, head {summary.Head}");
            var table = new TextTable("#", "layer", "output", "trainable parameters", "multiply-adds", "receptive field", "jump");
            foreach (var s in summary.LayerShapes)
                table.Row(s.Index.ToString(CultureInfo.InvariantCulture), s.Layer, s.Output,
                    s.TrainableParameters.ToString("N0", CultureInfo.InvariantCulture),
                    s.MultiplyAdds == 0 ? "" : Progress.Human(s.MultiplyAdds),
                    s.ReceptiveField is { } f ? $"{f} x {f}" : "whole lattice", s.Jump.ToString(CultureInfo.InvariantCulture));
            table.Show();
            Console.WriteLine($"parameters: {summary.TrainableParameters:N0} trainable ({summary.Parameters:N0} with batch-norm statistics); {Progress.Human(summary.MultiplyAdds)} multiply-adds per frame (forward); " +
                              $"receptive field before pooling to a vector: {summary.ReceptiveField}; " +
                              (summary.SizeAgnostic ? "size-agnostic (GAP): takes any lattice the strides tile" : $"takes {rows}x{cols} only (FLATTEN)"));
            return Ok;
        }));
        return cmd;
    }

    private static Command BuildFilters()
    {
        var folder = new Argument<string>("MODEL") { Description = "A trained model folder." };
        var output = PathOption("--out", "Folder for the images and filters.csv (default: MODEL/filters).", "-o");
        var overwrite = OverwriteOption("filters.png and filters.csv in --out");
        var cmd = new Command("filters", "The first layer's kernels as images (filters.png: one small heatmap per filter and input channel, a colour scale symmetric about zero), filters.csv, and as numbers on stdout.");
        cmd.Arguments.Add(folder);
        cmd.Options.Add(output);
        cmd.Options.Add(overwrite);
        cmd.SetAction(r => Guard("model filters", () =>
        {
            using var model = ModelFile.Load(r.GetValue(folder)!);
            var filters = FirstLayerFilters.Of(model);
            string dir = CheckOutputFolder("--out", r.GetValue(output) ?? Path.Combine(model.Folder, "filters"), r.GetValue(overwrite), "filters.png", "filters.csv");
            Directory.CreateDirectory(dir);
            PepLab.Report.LearningFigures.FilterImages(filters.Weights, filters.Channels, $"First-layer filters of {model.Document.Name}").SavePng(Path.Combine(dir, "filters.png"));
            filters.WriteCsv(Path.Combine(dir, "filters.csv"));
            for (int f = 0; f < filters.Weights.Length; f++)
                for (int c = 0; c < filters.Channels.Count; c++)
                {
                    Console.WriteLine($"filter {f}, channel {filters.Channels[c]}:");
                    foreach (var row in filters.Weights[f][c])
                        Console.WriteLine("  " + string.Join(' ', row.Select(w => w.ToString("+0.000;-0.000", CultureInfo.InvariantCulture))));
                }
            Console.WriteLine($"wrote {dir}: filters.png (rows = filters, columns = input channels), filters.csv");
            return Ok;
        }));
        return cmd;
    }

    private static Command BuildExport()
    {
        var folder = new Argument<string>("MODEL") { Description = "A trained model folder (or its model.json)." };
        var to = Option("--to", "Format: pytorch (state_dict.pt for torch.load, model.py defining the network and predict(frames), README.md).", "pytorch");
        var output = PathOption("--out", "Folder to write (default: MODEL/pytorch); refused if it exists and is not empty, unless --overwrite.", "-o");
        var overwrite = Flag("--overwrite", "Replace an export already in --out (other files there are left alone).");
        var cmd = new Command("export", "Write a trained model in a form other tools load: for PyTorch, its weights as a state_dict and a generated model.py with the same network, input encoding and output transform.");
        cmd.Arguments.Add(folder);
        foreach (var o in new Option[] { to, output, overwrite }) cmd.Options.Add(o);
        cmd.SetAction(r => Guard("model export", () =>
        {
            ModelExport.ParseFormat(r.GetValue(to)!, "--to");
            using var model = ModelFile.Load(r.GetValue(folder)!);
            string dir = r.GetValue(output) ?? Path.Combine(model.Folder, "pytorch");
            var export = ModelExport.ToPyTorch(model, dir, r.GetValue(overwrite));
            Console.WriteLine($"wrote {dir}: {string.Join(", ", export.Files)} (PyTorch: import model; net = model.load(); net.predict(frames))");
            return Ok;
        }));
        return cmd;
    }
}
