using System.Security.Cryptography;
using System.Text;
using PepLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace PepLab.Learn;

/// <summary>
/// <c>checkpoint.bin</c>: a training run saved at the end of an epoch, so that a run stopped at any
/// moment (SIGKILL included) continues from its last completed epoch and ends exactly as an
/// uninterrupted run would. It holds the settings the run was started with, the loop's state
/// (<see cref="TrainingState"/>: epoch, optimisation step, learning rate, best loss and epoch,
/// early-stopping and plateau counters, history), libtorch's random generator, the weights, Adam's
/// state and the best weights so far. The loader needs no position: each epoch's shuffling and
/// augmentation generators are derived from the seed and the epoch number.
/// <para>
/// Layout (little-endian, .NET <see cref="BinaryWriter"/> strings): the text <c>peplab.checkpoint</c>,
/// the format version (int32), the payload's length (int64), the payload, and the payload's
/// SHA-256 (32 bytes). Written through <see cref="AtomicFile"/>: a reader sees the previous
/// checkpoint or the new one, never a mix; a damaged file is refused.
/// </para>
/// </summary>
public sealed class TrainingCheckpoint
{
    public const string FileName = "checkpoint.bin";
    public const string FormatName = "peplab.checkpoint";
    public const int Version = 1;

    private readonly byte[] _random, _weights, _optimizer;
    private readonly byte[]? _best;
    private readonly Scalars _scalars;

    private TrainingCheckpoint(IReadOnlyDictionary<string, string> settings, Scalars scalars, IReadOnlyList<EpochRecord> history,
        byte[] random, byte[] weights, byte[] optimizer, byte[]? best)
    {
        Settings = settings;
        _scalars = scalars;
        History = history;
        _random = random;
        _weights = weights;
        _optimizer = optimizer;
        _best = best;
    }

    /// <summary>The settings the run was started with (see <see cref="TrainingJob.SettingsOf"/>).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>Epochs completed.</summary>
    public int Epoch => _scalars.Epoch;

    /// <summary>The history of the completed epochs.</summary>
    public IReadOnlyList<EpochRecord> History { get; }

    private sealed record Scalars(int Epoch, long Step, double LearningRate, double BestLoss, int BestEpoch, int SinceBest, int SincePlateau,
        bool StoppedEarly, double Seconds);

    /// <summary>Saves the end of an epoch to <paramref name="path"/>, atomically.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, string> settings, EpochEnd end)
    {
        var s = end.State;
        using var payload = new MemoryStream();
        using (var w = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(settings.Count);
            foreach (var (key, value) in settings.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                w.Write(key);
                w.Write(value);
            }
            w.Write(s.Epoch); w.Write(s.Step); w.Write(s.LearningRate); w.Write(s.BestLoss); w.Write(s.BestEpoch);
            w.Write(s.SinceBest); w.Write(s.SincePlateau); w.Write(s.StoppedEarly); w.Write(s.Seconds);
            w.Write(s.History.Count);
            foreach (var r in s.History)
            {
                w.Write(r.Epoch); w.Write(r.TrainLoss); w.Write(r.ValLoss); w.Write(r.ValPearson); w.Write(r.ValMae);
                w.Write(r.LearningRate); w.Write(r.Seconds); w.Write(r.SamplesPerSecond);
            }
            using (var state = torch.random.get_rng_state()) WriteBlock(w, state.bytes.ToArray());
            WriteBlock(w, Serialise(x => end.Network.save(x)));
            WriteBlock(w, Serialise(end.Optimizer.save_state_dict));
            w.Write(s.Best is not null);
            if (s.Best is not null) WriteBlock(w, Serialise(x => WriteTensors(x, s.Best)));
        }
        byte[] bytes = payload.ToArray();
        AtomicFile.Write(path, stream =>
        {
            using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            w.Write(FormatName);
            w.Write(Version);
            w.Write((long)bytes.Length);
            w.Write(bytes);
            w.Write(SHA256.HashData(bytes));
        }, "checkpoint");
    }

    /// <summary>
    /// What an interrupted training kept in <paramref name="folder"/>: nothing, an unreadable checkpoint, or
    /// the completed epochs followed by <paramref name="resume"/>'s command that continues the training
    /// (asked for only then).
    /// </summary>
    public static string InterruptedNote(string folder, Func<string> resume)
    {
        string checkpoint = Path.Combine(folder, FileName);
        if (!File.Exists(checkpoint)) return $"no epoch was completed, so nothing was kept in {folder}";
        int epochs;
        try
        {
            epochs = Read(checkpoint).Epoch;
        }
        catch (PepLabInputException)
        {
            return $"{checkpoint} cannot be read; start again with --overwrite";
        }
        return $"kept {epochs} completed epoch(s) in {folder} ({LearnFiles.History}, {FileName}); resume with: {resume()}";
    }

    /// <summary>Reads and checks a checkpoint; a damaged or foreign file is a <see cref="PepLabInputException"/> naming it.</summary>
    public static TrainingCheckpoint Read(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            using var r = new BinaryReader(file, Encoding.UTF8);
            if (r.ReadString() != FormatName) throw new PepLabInputException(path, "is not a PepLab training checkpoint");
            int version = r.ReadInt32();
            if (version != Version)
                throw new PepLabInputException(path, $"is a checkpoint of format version {version}; this PepLab reads version {Version} (start again with --overwrite)");
            long length = r.ReadInt64();
            if (length < 0 || length > file.Length) throw new PepLabInputException(path, "is damaged (its length field is wrong)");
            byte[] bytes = r.ReadBytes((int)length);
            byte[] hash = r.ReadBytes(32);
            if (bytes.Length != length || !hash.AsSpan().SequenceEqual(SHA256.HashData(bytes)))
                throw new PepLabInputException(path, "is damaged (its SHA-256 does not match; start again with --overwrite)");
            return Parse(bytes);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException and not FileNotFoundException or FormatException)
        {
            throw new PepLabInputException(path, $"cannot be read as a training checkpoint ({e.Message})");
        }
    }

    private static TrainingCheckpoint Parse(byte[] bytes)
    {
        using var r = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        int count = r.ReadInt32();
        var settings = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++) settings[r.ReadString()] = r.ReadString();
        var scalars = new Scalars(r.ReadInt32(), r.ReadInt64(), r.ReadDouble(), r.ReadDouble(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(),
            r.ReadBoolean(), r.ReadDouble());
        int epochs = r.ReadInt32();
        var history = new List<EpochRecord>(epochs);
        for (int i = 0; i < epochs; i++)
            history.Add(new EpochRecord
            {
                Epoch = r.ReadInt32(), TrainLoss = r.ReadDouble(), ValLoss = r.ReadDouble(), ValPearson = r.ReadDouble(), ValMae = r.ReadDouble(),
                LearningRate = r.ReadDouble(), Seconds = r.ReadDouble(), SamplesPerSecond = r.ReadDouble(),
            });
        byte[] random = ReadBlock(r), weights = ReadBlock(r), optimizer = ReadBlock(r);
        byte[]? best = r.ReadBoolean() ? ReadBlock(r) : null;
        return new TrainingCheckpoint(settings, scalars, history, random, weights, optimizer, best);
    }

    /// <summary>
    /// Puts the saved weights into <paramref name="net"/> and Adam's state into <paramref name="optimizer"/>,
    /// sets libtorch's generator, and returns the loop's state. Call after building both, before training.
    /// </summary>
    public TrainingState Restore(Network net, TorchSharp.Modules.OptimizerHelper optimizer)
    {
        net.load(new BinaryReader(new MemoryStream(_weights)), strict: true);
        optimizer.load_state_dict(new BinaryReader(new MemoryStream(_optimizer)));
        var s = _scalars;
        var state = new TrainingState
        {
            Epoch = s.Epoch, Step = s.Step, LearningRate = s.LearningRate, BestLoss = s.BestLoss, BestEpoch = s.BestEpoch,
            SinceBest = s.SinceBest, SincePlateau = s.SincePlateau, StoppedEarly = s.StoppedEarly, Seconds = s.Seconds,
        };
        state.History.AddRange(History);
        if (_best is not null) state.Best = ReadTensors(new BinaryReader(new MemoryStream(_best)), net);
        Trainer.SetLearningRate(optimizer, state.LearningRate);
        using (var random = torch.empty(_random.Length, ScalarType.Byte))
        {
            random.bytes = _random;
            torch.random.set_rng_state(random);
        }
        return state;
    }

    private static byte[] Serialise(Action<BinaryWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true)) write(w);
        return stream.ToArray();
    }

    private static void WriteBlock(BinaryWriter w, byte[] block)
    {
        w.Write(block.Length);
        w.Write(block);
    }

    private static byte[] ReadBlock(BinaryReader r)
    {
        int length = r.ReadInt32();
        byte[] block = r.ReadBytes(length);
        if (length < 0 || block.Length != length) throw new EndOfStreamException("a section is cut short");
        return block;
    }

    private static void WriteTensors(BinaryWriter w, IReadOnlyDictionary<string, Tensor> tensors)
    {
        w.Write(tensors.Count);
        foreach (var (name, t) in tensors)
        {
            w.Write(name);
            t.Save(w);
        }
    }

    /// <summary>Tensors written by <see cref="WriteTensors"/>, shaped and typed as <paramref name="net"/>'s state.</summary>
    private static Dictionary<string, Tensor> ReadTensors(BinaryReader r, Network net)
    {
        var like = net.state_dict();
        int count = r.ReadInt32();
        var result = new Dictionary<string, Tensor>();
        for (int i = 0; i < count; i++)
        {
            string name = r.ReadString();
            if (!like.TryGetValue(name, out var model)) throw new FormatException($"the best weights hold '{name}', which the model has not");
            var t = torch.empty_like(model, device: CPU);
            t.Load(r);
            result[name] = t.to(model.device);
        }
        return result;
    }
}
