package dev.braid.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code braid.engine.dtype}: auto keeps a half-precision checkpoint half only where the device multiplies it natively. */
class DtypeChoiceTest {

    private static final Path FIXTURES = ReferenceCase.FIXTURES;

    @Test
    void parsesAutoAndTheThreePrecisionsAndNamesThemWhenWrong() {
        assertThat(DtypeChoice.parse("auto")).isEqualTo(DtypeChoice.AUTO);
        assertThat(DtypeChoice.parse(" AUTO ")).isEqualTo(DtypeChoice.AUTO);
        assertThat(DtypeChoice.parse("bfloat16").fixed()).isEqualTo(WeightDtype.BFLOAT16);
        assertThat(DtypeChoice.parse("float32").key()).isEqualTo("float32");
        assertThatThrownBy(() -> DtypeChoice.parse("int8"))
                .hasMessage("dtype 'int8' is not one of auto, float32, float16, bfloat16");
    }

    @Test
    void autoHoldsHalfPrecisionOnlyWhereTheDeviceHasItsArithmetic() {
        Device cpu = Device.cpu();
        assertThat(DtypeChoice.resolve(SafetensorsDtype.BF16, cpu, Set.of("avx512f", "avx512_bf16"))).isEqualTo(WeightDtype.BFLOAT16);
        assertThat(DtypeChoice.resolve(SafetensorsDtype.BF16, cpu, Set.of("amx_bf16"))).isEqualTo(WeightDtype.BFLOAT16);
        assertThat(DtypeChoice.resolve(SafetensorsDtype.BF16, cpu, Set.of("avx512f", "avx2"))).isEqualTo(WeightDtype.FLOAT32);
        assertThat(DtypeChoice.resolve(SafetensorsDtype.F16, cpu, Set.of("avx512_bf16"))).isEqualTo(WeightDtype.FLOAT32);
        assertThat(DtypeChoice.resolve(SafetensorsDtype.F16, cpu, Set.of("avx512_fp16"))).isEqualTo(WeightDtype.FLOAT16);
        assertThat(DtypeChoice.resolve(SafetensorsDtype.F32, cpu, Set.of("avx512_bf16", "avx512_fp16"))).isEqualTo(WeightDtype.FLOAT32);
        assertThat(DtypeChoice.resolve(SafetensorsDtype.BF16, Device.gpu(0), Set.of())).isEqualTo(WeightDtype.BFLOAT16);
        assertThat(DtypeChoice.resolve(SafetensorsDtype.F16, Device.gpu(0), Set.of())).isEqualTo(WeightDtype.FLOAT16);
    }

    @Test
    void readsTheFlagsLineOfCpuinfo() {
        String cpuinfo = "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu sse2 avx512f avx512_bf16\n"
                + "bugs\t\t: sysret_ss_attrs\n\nprocessor\t: 1\nflags\t\t: fpu\n";
        assertThat(DtypeChoice.HostCpu.flags(cpuinfo)).containsExactlyInAnyOrder("fpu", "sse2", "avx512f", "avx512_bf16");
        assertThat(DtypeChoice.HostCpu.flags("processor\t: 0\n")).isEmpty();
        assertThat(DtypeChoice.HostCpu.read(Path.of("/no/such/cpuinfo"))).isEmpty();
    }

    @Test
    void theStoredPrecisionIsTheOneMostMatrixBytesAreIn() {
        try (Checkpoint bf16 = Checkpoint.open(FIXTURES.resolve("llama-tiny-sharded-bf16"));
             Checkpoint f32 = Checkpoint.open(FIXTURES.resolve("llama-tiny"))) {
            assertThat(DtypeChoice.storedMatrixType(bf16)).isEqualTo(SafetensorsDtype.BF16);
            assertThat(DtypeChoice.storedMatrixType(f32)).isEqualTo(SafetensorsDtype.F32);
        }
    }

    @Test
    void autoLoadsABfloat16CheckpointAsThisHostCanMultiplyIt() {
        Set<String> flags = DtypeChoice.HostCpu.FLAGS;
        WeightDtype expected = flags.contains("avx512_bf16") || flags.contains("amx_bf16") ? WeightDtype.BFLOAT16 : WeightDtype.FLOAT32;
        try (LoadedModel bf16 = LoadedModel.load(FIXTURES.resolve("llama-tiny-sharded-bf16"), Device.cpu(), DtypeChoice.AUTO);
             LoadedModel f32 = LoadedModel.load(FIXTURES.resolve("llama-tiny"), Device.cpu(), DtypeChoice.AUTO)) {
            assertThat(bf16.transformer().dtype()).isEqualTo(expected);
            assertThat(f32.transformer().dtype()).isEqualTo(WeightDtype.FLOAT32);
        }
    }
}
