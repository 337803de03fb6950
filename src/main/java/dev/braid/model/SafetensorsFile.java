package dev.braid.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * One {@code .safetensors} file: an 8-byte little-endian header length, a JSON header, then raw
 * tensor bytes. The header is validated eagerly on {@link #open}; tensor bytes are memory-mapped
 * on demand, a bounded window at a time, so multi-gigabyte shards never sit on the Java heap whole
 * and never hit the 2 GiB limit of a single mapping.
 */
public final class SafetensorsFile implements AutoCloseable {

    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final int MAP_WINDOW_BYTES = 1 << 28;

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, SafetensorsHeader.Slot> slots;

    private SafetensorsFile(Path path, FileChannel channel, long dataStart, Map<String, SafetensorsHeader.Slot> slots) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.slots = slots;
    }

    public static SafetensorsFile open(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new ModelLoadException(path + ": file does not exist");
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new ModelLoadException(path + ": cannot be opened: " + e.getMessage(), e);
        }
        try {
            long fileSize = size(path, channel);
            if (fileSize < Long.BYTES) {
                throw new ModelLoadException(path + ": file is " + fileSize + " bytes, too short to hold a safetensors header");
            }
            long headerLength = readBytes(path, channel, 0, Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).getLong();
            // The length is an unsigned 64-bit value; a negative long means a huge (bogus) length.
            if (headerLength < 0 || headerLength > fileSize - Long.BYTES) {
                throw new ModelLoadException(path + ": header length " + Long.toUnsignedString(headerLength)
                        + " exceeds file size " + fileSize);
            }
            if (headerLength > MAX_HEADER_BYTES) {
                throw new ModelLoadException(path + ": header length " + headerLength + " exceeds the limit of "
                        + MAX_HEADER_BYTES + " bytes");
            }
            ByteBuffer header = readBytes(path, channel, Long.BYTES, (int) headerLength);
            long dataStart = Long.BYTES + headerLength;
            var slots = SafetensorsHeader.parse(path, header.array(), fileSize - dataStart);
            return new SafetensorsFile(path, channel, dataStart, slots);
        } catch (RuntimeException e) {
            closeQuietly(channel, e);
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    public Set<String> names() {
        return slots.keySet();
    }

    public boolean has(String name) {
        return slots.containsKey(name);
    }

    public TensorInfo info(String name) {
        return slot(name).info();
    }

    /** The tensor converted to float32, in row-major order; F16 and BF16 are widened exactly. */
    public float[] readFloat32(String name) {
        SafetensorsHeader.Slot slot = slot(name);
        TensorInfo info = slot.info();
        SafetensorsDtype dtype = info.dtype();
        if (!dtype.readable()) {
            throw new ModelLoadException(path + ": tensor \"" + name + "\" has dtype " + dtype
                    + ", which is not supported (supported: F32, F16, BF16)");
        }
        long numel = info.numel();
        if (numel > Integer.MAX_VALUE - 8) {
            throw new ModelLoadException(path + ": tensor \"" + name + "\" has " + numel
                    + " elements, more than a Java array can hold");
        }
        float[] out = new float[(int) numel];
        int elementsPerWindow = MAP_WINDOW_BYTES / dtype.byteSize();
        long position = dataStart + slot.begin();
        for (int done = 0; done < out.length; ) {
            int count = Math.min(out.length - done, elementsPerWindow);
            long bytes = (long) count * dtype.byteSize();
            ByteBuffer window = map(name, position, bytes);
            convert(dtype, window, out, done, count);
            done += count;
            position += bytes;
        }
        return out;
    }

    /** A float32 array of the declared shape, whatever the stored precision. */
    public NDArray load(String name, NDManager manager) {
        float[] values = readFloat32(name);
        return manager.create(values, new Shape(slot(name).info().shape()));
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new ModelLoadException(path + ": cannot be closed: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + slots.size() + " tensors]";
    }

    private SafetensorsHeader.Slot slot(String name) {
        SafetensorsHeader.Slot slot = slots.get(name);
        if (slot == null) {
            throw new ModelLoadException(path + ": tensor \"" + name + "\" not found");
        }
        return slot;
    }

    private ByteBuffer map(String name, long position, long bytes) {
        try {
            MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_ONLY, position, bytes);
            return buffer.order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new ModelLoadException(path + ": tensor \"" + name + "\" cannot be read: " + e.getMessage(), e);
        }
    }

    private static void convert(SafetensorsDtype dtype, ByteBuffer bytes, float[] out, int offset, int count) {
        switch (dtype) {
            case F32 -> bytes.asFloatBuffer().get(out, offset, count);
            case F16 -> {
                ShortBuffer halves = bytes.asShortBuffer();
                for (int i = 0; i < count; i++) {
                    out[offset + i] = Float.float16ToFloat(halves.get(i));
                }
            }
            case BF16 -> {
                // bfloat16 is the upper half of an IEEE float32, so widening is a shift.
                ShortBuffer halves = bytes.asShortBuffer();
                for (int i = 0; i < count; i++) {
                    out[offset + i] = Float.intBitsToFloat((halves.get(i) & 0xFFFF) << 16);
                }
            }
            default -> throw new IllegalStateException("no float32 conversion for " + dtype);
        }
    }

    private static long size(Path path, FileChannel channel) {
        try {
            return channel.size();
        } catch (IOException e) {
            throw new ModelLoadException(path + ": cannot be read: " + e.getMessage(), e);
        }
    }

    private static ByteBuffer readBytes(Path path, FileChannel channel, long position, int length) {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        try {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, position + buffer.position()) < 0) {
                    throw new ModelLoadException(path + ": unexpected end of file while reading the header");
                }
            }
        } catch (IOException e) {
            throw new ModelLoadException(path + ": cannot be read: " + e.getMessage(), e);
        }
        return buffer.flip();
    }

    private static void closeQuietly(FileChannel channel, RuntimeException cause) {
        try {
            channel.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
