namespace PepLab.Report;

/// <summary>
/// A streaming writer of animated GIF (GIF89a) files: one global palette of up to 256 colours, frames
/// of palette indices LZW-compressed and written as they come, so memory does not grow with the
/// number of frames. Loops forever.
/// </summary>
public sealed class GifWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly LzwEncoder _lzw = new();
    private bool _finished;

    /// <summary>Starts a GIF of <paramref name="width"/> x <paramref name="height"/> pixels with <paramref name="palette"/> (0xAARRGGBB; alpha ignored).</summary>
    public GifWriter(Stream stream, int width, int height, IReadOnlyList<uint> palette, bool ownsStream = false)
    {
        if (width < 1 || width > ushort.MaxValue || height < 1 || height > ushort.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(width), $"a GIF is 1..65535 pixels on each side (got {width}x{height})");
        if (palette.Count < 1 || palette.Count > 256) throw new ArgumentOutOfRangeException(nameof(palette), palette.Count, "a GIF palette holds 1..256 colours");
        _stream = stream;
        _ownsStream = ownsStream;
        Width = width;
        Height = height;

        int bits = 1;
        while ((1 << bits) < palette.Count) bits++;
        _stream.Write("GIF89a"u8);
        WriteShort(width);
        WriteShort(height);
        _stream.WriteByte((byte)(0x80 | 0x70 | (bits - 1))); // global table, 8-bit colour resolution, table of 2^bits
        _stream.WriteByte(0); // background colour index
        _stream.WriteByte(0); // square pixels
        for (int i = 0; i < 1 << bits; i++)
        {
            uint c = i < palette.Count ? palette[i] : 0;
            _stream.WriteByte((byte)(c >> 16));
            _stream.WriteByte((byte)(c >> 8));
            _stream.WriteByte((byte)c);
        }
        // NETSCAPE2.0 application extension: loop forever.
        _stream.Write([0x21, 0xFF, 0x0B]);
        _stream.Write("NETSCAPE2.0"u8);
        _stream.Write([0x03, 0x01, 0x00, 0x00, 0x00]);
        PaletteSize = palette.Count;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>Colours in the palette.</summary>
    public int PaletteSize { get; }

    /// <summary>Frames written so far.</summary>
    public int Frames { get; private set; }

    /// <summary>
    /// Adds a full-size frame of palette indices (row-major, Width x Height) shown for
    /// <paramref name="delayCentiseconds"/> hundredths of a second.
    /// </summary>
    public void AddFrame(ReadOnlySpan<byte> indices, int delayCentiseconds)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (indices.Length != Width * Height) throw new ArgumentException($"a frame has {Width * Height} pixels (got {indices.Length})", nameof(indices));
        // Graphic control extension: no disposal, the delay, no transparency.
        _stream.Write([0x21, 0xF9, 0x04, 0x04]);
        WriteShort(Math.Clamp(delayCentiseconds, 0, ushort.MaxValue));
        _stream.Write([0x00, 0x00]);
        // Image descriptor: the whole canvas, no local palette, not interlaced.
        _stream.WriteByte(0x2C);
        WriteShort(0);
        WriteShort(0);
        WriteShort(Width);
        WriteShort(Height);
        _stream.WriteByte(0);
        _lzw.Encode(indices, _stream);
        Frames++;
    }

    /// <summary>Writes the trailer; the file is complete.</summary>
    public void Finish()
    {
        if (_finished) return;
        _stream.WriteByte(0x3B);
        _stream.Flush();
        _finished = true;
    }

    public void Dispose()
    {
        if (_ownsStream) _stream.Dispose();
        _finished = true;
    }

    private void WriteShort(int v)
    {
        _stream.WriteByte((byte)v);
        _stream.WriteByte((byte)(v >> 8));
    }

    /// <summary>
    /// GIF's variable-length LZW with 8-bit pixels: codes start at 9 bits, grow to 12, and a clear
    /// code resets the table when all 4096 codes are taken. Codes are packed least significant bit
    /// first into sub-blocks of at most 255 bytes.
    /// </summary>
    private sealed class LzwEncoder
    {
        private const int MinCodeSize = 8, ClearCode = 1 << MinCodeSize, EndCode = ClearCode + 1, MaxCodes = 4095; // like giflib, the last code is never assigned: the table is cleared when it would be
        // Open-addressing table: key = prefix code << 8 | next byte, value = code.
        private const int TableSize = 5003 * 2;
        private readonly int[] _keys = new int[TableSize];
        private readonly short[] _codes = new short[TableSize];
        private readonly byte[] _block = new byte[255];
        private int _blockLength;
        private int _bitBuffer, _bitCount;
        private Stream _out = Stream.Null;

        public void Encode(ReadOnlySpan<byte> pixels, Stream output)
        {
            _out = output;
            _blockLength = 0;
            _bitBuffer = 0;
            _bitCount = 0;
            output.WriteByte(MinCodeSize);
            int codeSize = MinCodeSize + 1, next = EndCode + 1;
            Reset();
            Emit(ClearCode, codeSize);
            int prefix = pixels[0];
            for (int i = 1; i < pixels.Length; i++)
            {
                byte b = pixels[i];
                int key = (prefix << 8) | b;
                int slot = Find(key);
                if (_keys[slot] == key)
                {
                    prefix = _codes[slot];
                    continue;
                }
                Emit(prefix, codeSize);
                if (next < MaxCodes)
                {
                    _keys[slot] = key;
                    _codes[slot] = (short)next;
                    if (next == 1 << codeSize && codeSize < 12) codeSize++;
                    next++;
                }
                else
                {
                    Emit(ClearCode, codeSize);
                    Reset();
                    codeSize = MinCodeSize + 1;
                    next = EndCode + 1;
                }
                prefix = b;
            }
            Emit(prefix, codeSize);
            Emit(EndCode, codeSize);
            if (_bitCount > 0) PutByte((byte)_bitBuffer);
            FlushBlock();
            output.WriteByte(0); // block terminator
        }

        private void Reset() => Array.Fill(_keys, -1);

        private int Find(int key)
        {
            int slot = (int)((uint)(key * -1640531535) % TableSize);
            while (_keys[slot] != -1 && _keys[slot] != key)
                if (++slot == TableSize) slot = 0;
            return slot;
        }

        private void Emit(int code, int size)
        {
            _bitBuffer |= code << _bitCount;
            _bitCount += size;
            while (_bitCount >= 8)
            {
                PutByte((byte)_bitBuffer);
                _bitBuffer >>= 8;
                _bitCount -= 8;
            }
        }

        private void PutByte(byte b)
        {
            _block[_blockLength++] = b;
            if (_blockLength == 255) FlushBlock();
        }

        private void FlushBlock()
        {
            if (_blockLength == 0) return;
            _out.WriteByte((byte)_blockLength);
            _out.Write(_block, 0, _blockLength);
            _blockLength = 0;
        }
    }
}
