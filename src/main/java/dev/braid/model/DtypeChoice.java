package dev.braid.model;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code braid.engine.dtype} (and {@code --dtype}): a fixed {@link WeightDtype}, or {@code auto}, the
 * default. Auto keeps a half-precision checkpoint's matrices in the precision they were stored in
 * where the device multiplies that precision natively (a GPU; a CPU with AVX-512 BF16 or AMX for
 * bfloat16, AVX-512 FP16 or AMX-FP16 for float16): half the memory, and on the AVX-512 BF16 host
 * measured faster than float32 at every step size (README, Performance). Everything else is held in
 * float32: a float32 checkpoint keeps its exact answers, and a CPU without the arithmetic multiplied
 * half precision slower than float32 beyond one-token steps.
 *
 * @param fixed the precision asked for; null for auto
 */
public record DtypeChoice(WeightDtype fixed) {

    public static final DtypeChoice AUTO = new DtypeChoice(null);
    public static final String AUTO_KEY = "auto";

    /** {@code auto}, {@code float32}, {@code float16} or {@code bfloat16}; anything else is refused, naming those. */
    public static DtypeChoice parse(String name) {
        if (name != null && name.trim().equalsIgnoreCase(AUTO_KEY)) {
            return AUTO;
        }
        try {
            return new DtypeChoice(WeightDtype.parse(name));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("dtype '" + name + "' is not one of " + AUTO_KEY + ", " + WeightDtype.keys(), e);
        }
    }

    public String key() {
        return fixed == null ? AUTO_KEY : fixed.key();
    }

    /** The precision to hold {@code checkpoint}'s matrices in on {@code device}. */
    WeightDtype resolve(Checkpoint checkpoint, Device device) {
        return fixed != null ? fixed : resolve(storedMatrixType(checkpoint), device, HostCpu.FLAGS);
    }

    static WeightDtype resolve(SafetensorsDtype stored, Device device, Set<String> cpuFlags) {
        boolean gpu = !device.getDeviceType().equals(Device.Type.CPU);
        if (stored == SafetensorsDtype.BF16 && (gpu || cpuFlags.contains("avx512_bf16") || cpuFlags.contains("amx_bf16"))) {
            return WeightDtype.BFLOAT16;
        }
        if (stored == SafetensorsDtype.F16 && (gpu || cpuFlags.contains("avx512_fp16") || cpuFlags.contains("amx_fp16"))) {
            return WeightDtype.FLOAT16;
        }
        return WeightDtype.FLOAT32;
    }

    /** The type most of the checkpoint's matrix bytes are stored in. */
    static SafetensorsDtype storedMatrixType(Checkpoint checkpoint) {
        Map<SafetensorsDtype, Long> bytes = new HashMap<>();
        for (String name : checkpoint.names()) {
            TensorInfo info = checkpoint.info(name);
            if (info.shape().length == 2) {
                bytes.merge(info.dtype(), info.byteSize(), Long::sum);
            }
        }
        return bytes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                .orElse(SafetensorsDtype.F32);
    }

    /** The host CPU's feature flags as Linux lists them; none elsewhere. */
    static final class HostCpu {

        static final Set<String> FLAGS = read(Path.of("/proc/cpuinfo"));

        private HostCpu() {
        }

        static Set<String> read(Path cpuinfo) {
            try {
                return flags(Files.readString(cpuinfo));
            } catch (IOException | RuntimeException e) {
                return Set.of();
            }
        }

        /** The first {@code flags} line of a {@code /proc/cpuinfo} text. */
        static Set<String> flags(String cpuinfo) {
            for (String line : cpuinfo.split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals("flags")) {
                    return Set.copyOf(Arrays.asList(line.substring(colon + 1).trim().toLowerCase(Locale.ROOT).split("\\s+")));
                }
            }
            return Set.of();
        }
    }
}
