using PepLab.Core;

namespace PepLab.Learn;

/// <summary>On-the-fly augmentation of training frames with the lattice's symmetries (no disk).</summary>
public enum AugmentKind
{
    None,
    /// <summary>A uniformly random periodic translation (the original's stored "rolls", done for free).</summary>
    Roll,
    /// <summary>A uniformly random element of D4 (rotations and mirrors, orientation codes remapped).</summary>
    D4,
    /// <summary>Both: a random D4 element, then a random translation.</summary>
    All,
    /// <summary>The original's stored rolls, drawn on the fly: a shift by the same r along both axes, r one of 0, 10, ..., 120 (13 values).</summary>
    Rolls13,
}

public static class Augmentation
{
    public static AugmentKind Parse(string s) => s.Trim().ToLowerInvariant() switch
    {
        "none" => AugmentKind.None,
        "roll" => AugmentKind.Roll,
        "d4" => AugmentKind.D4,
        "all" or "roll+d4" or "d4+roll" => AugmentKind.All,
        "rolls13" => AugmentKind.Rolls13,
        _ => throw new PepLabInputException("augment", $"unknown augmentation '{s}' (none, roll, d4, all, rolls13)"),
    };

    public static string Name(AugmentKind a) => a.ToString().ToLowerInvariant();

    /// <summary>
    /// The augmenter for <paramref name="kind"/>, or null for none. It keeps a scratch frame, so one
    /// augmenter serves one loader thread.
    /// </summary>
    public static FrameAugmenter? Create(AugmentKind kind)
    {
        if (kind == AugmentKind.None) return null;
        byte[] scratch = [];
        return (frame, nx, ny, random) =>
        {
            if (scratch.Length != frame.Length) scratch = new byte[frame.Length];
            if (kind is AugmentKind.D4 or AugmentKind.All)
            {
                int element;
                do element = random.Next(FrameTransforms.SymmetryCount);
                while (!FrameTransforms.Applies(element, nx, ny));
                if (element != 0)
                {
                    frame.CopyTo(scratch);
                    FrameTransforms.Symmetry(scratch, frame, nx, ny, element);
                }
            }
            if (kind is AugmentKind.Roll or AugmentKind.All)
            {
                int rows = random.Next(nx), columns = random.Next(ny);
                if (rows != 0 || columns != 0)
                {
                    frame.CopyTo(scratch);
                    FrameTransforms.Roll(scratch, frame, nx, ny, rows, columns);
                }
            }
            if (kind == AugmentKind.Rolls13)
            {
                // numpy.roll(img, (r, r), axis=(0, 1)) with r in 0, 10, ..., 120, as the original stored them.
                int r = 10 * random.Next(13);
                if (r % nx != 0 || r % ny != 0)
                {
                    frame.CopyTo(scratch);
                    FrameTransforms.Roll(scratch, frame, nx, ny, r % nx, r % ny);
                }
            }
        };
    }
}
