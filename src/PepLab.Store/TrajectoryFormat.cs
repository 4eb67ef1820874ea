namespace PepLab.Store;

/// <summary>
/// PepLab's trajectory file layout, in one place. One HDF5 file per run (like a GSD file per
/// trajectory): <c>/frames</c> uint8 (T, nx, ny) with values 0..4, chunked along T and deflate
/// compressed; <c>/iterations</c> int64 (T); run parameters as root attributes.
/// </summary>
public static class TrajectoryFormat
{
    public const string FormatName = "peplab.trajectory";
    public const int Version = 1;
    public const string Frames = "frames";
    public const string Iterations = "iterations";

    public static class Attr
    {
        public const string Format = "format";
        public const string FormatVersion = "format_version";
        public const string Density = "density";
        public const string DensityRequested = "density_requested";
        public const string Tumble = "tumble";
        public const string Nx = "nx";
        public const string Ny = "ny";
        public const string Particles = "particles";
        public const string Speed = "speed";
        public const string Warmup = "warmup";
        public const string Interval = "interval";
        public const string Seed = "seed";
        public const string Generator = "generator";
        /// <summary>
        /// The meaning of the frame values, <see cref="PepLab.Core.Orientation.CodeTable"/>
        /// (<c>"0 empty, 1 up, 2 right, 3 down, 4 left"</c>); absent in files written before PepLab stored it.
        /// </summary>
        public const string FrameCodes = "frame_codes";
        /// <summary>Provenance (<see cref="PepLab.Core.Provenance"/>): the full version of the PepLab that wrote the file.</summary>
        public const string PeplabVersion = PepLab.Core.Provenance.VersionName;
        /// <summary>Provenance: the command line that wrote the file (absent in files written before PepLab recorded it).</summary>
        public const string CommandLine = PepLab.Core.Provenance.CommandLineName;
        /// <summary>Provenance: when the file was started, ISO 8601 UTC (absent in older files).</summary>
        public const string CreatedUtc = PepLab.Core.Provenance.CreatedUtcName;
        /// <summary>Provenance: the host that wrote the file (absent in older files).</summary>
        public const string Host = PepLab.Core.Provenance.HostName;
    }

    /// <summary>Frames per chunk along T for a lattice of <paramref name="sites"/> sites: about 256 KiB uncompressed per chunk.</summary>
    public static int FramesPerChunk(int sites, int frames) =>
        Math.Clamp(262_144 / Math.Max(1, sites), 1, Math.Max(1, Math.Min(frames, 256)));

    /// <summary>Default deflate level: the measured sweet spot of size and write cost (see README).</summary>
    public const int DefaultCompressionLevel = 4;
}
