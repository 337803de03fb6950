package dev.braid.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A TorchScript module that libtorch compiles from source Braid ships as a resource: it reaches
 * libtorch operations and types that DJL's own API does not (bfloat16 tensors). The module holds no tensors: weights and inputs are passed in, so
 * one module serves any model on any device.
 *
 * <p>The archive is the format {@code torch.jit.save} writes (a zip with the class source under
 * {@code code/}, the module object pickled in {@code data.pkl} and an empty {@code constants.pkl}),
 * written here so that no Python is needed to build or run Braid.
 */
final class ScriptModule implements AutoCloseable {

    /** The serialisation format version written; libtorch 2.x reads 1 to 10, and operators keep their current semantics from 4 on. */
    private static final String FORMAT_VERSION = "10";

    private final PtSymbolBlock block;
    private final PtNDManager manager;

    private ScriptModule(PtSymbolBlock block, PtNDManager manager) {
        this.block = block;
        this.manager = manager;
    }

    /**
     * Compiles class {@code className} of the TorchScript resource {@code resource} (next to this
     * class), a subclass of {@code Module} with no parameters.
     */
    static ScriptModule load(String resource, String className, NDManager manager) {
        String source;
        try (InputStream in = ScriptModule.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("TorchScript resource " + resource + " is missing from the jar");
            }
            source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PtNDManager pt = (PtNDManager) manager;
        try {
            return new ScriptModule(JniUtils.loadModule(pt, new ByteArrayInputStream(archive(className, source)), false, false), pt);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] archive(String className, String source) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            store(zip, "braid/version", (FORMAT_VERSION + "\n").getBytes(StandardCharsets.US_ASCII));
            store(zip, "braid/code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
            store(zip, "braid/data.pkl", moduleObject(className));
            store(zip, "braid/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Pickle protocol 2: an instance of {@code __torch__.className} whose one attribute is {@code training = False}. */
    private static byte[] moduleObject(String className) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80);
        out.write(2);
        out.writeBytes(("c__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII));
        out.write(')');
        out.write(0x81);
        out.write('}');
        byte[] key = "training".getBytes(StandardCharsets.US_ASCII);
        out.write('X');
        out.write(key.length);
        out.write(0);
        out.write(0);
        out.write(0);
        out.writeBytes(key);
        out.write(0x89);
        out.write('s');
        out.write('b');
        out.write('.');
        return out.toByteArray();
    }

    /** Uncompressed entries, as libtorch's own archives hold them. */
    private static void store(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(data.length);
        entry.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
    }

    /**
     * Runs {@code method}, which returns one tensor, owned by the innermost open {@code NDScope} like
     * any other. Arguments are tensors, {@code long}s or tensor arrays ({@code List[Tensor]}).
     */
    NDArray call(String method, Object... args) {
        IValue[] inputs = new IValue[args.length];
        try {
            for (int i = 0; i < args.length; i++) {
                inputs[i] = value(args[i]);
            }
            try (IValue result = IValueUtils.runMethod(block, method, inputs)) {
                return result.toTensor(manager);
            }
        } finally {
            for (IValue input : inputs) {
                if (input != null) {
                    input.close();
                }
            }
        }
    }

    private static IValue value(Object arg) {
        return switch (arg) {
            case PtNDArray tensor -> IValue.from(tensor);
            case Long l -> IValue.from(l);
            case NDArray[] list -> IValue.listFrom(Arrays.stream(list).map(PtNDArray.class::cast).toArray(PtNDArray[]::new));
            default -> throw new IllegalArgumentException("no TorchScript value for " + arg);
        };
    }

    @Override
    public void close() {
        block.close();
    }
}
