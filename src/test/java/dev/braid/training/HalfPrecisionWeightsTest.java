package dev.braid.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.braid.model.Checkpoint;
import dev.braid.model.SafetensorsDtype;
import dev.braid.model.SafetensorsFile;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HalfPrecisionWeightsTest {

    @Test
    void float16WeightsReadBackWithinHalfPrecision(@TempDir Path dir) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, float[]> values = new LinkedHashMap<>();
        shapes.put("a", new long[] {2, 3});
        values.put("a", new float[] {0.1f, -2.5f, 3e-3f, 100f, -0.0001f, 1f});
        shapes.put("b", new long[] {1});
        values.put("b", new float[] {0.333f});
        HalfPrecisionWeights.write(dir, shapes, values);
        try (SafetensorsFile file = SafetensorsFile.open(dir.resolve(Checkpoint.SINGLE_FILE))) {
            assertThat(file.names()).containsExactlyInAnyOrder("a", "b");
            assertThat(file.info("a").dtype()).isEqualTo(SafetensorsDtype.F16);
            assertThat(file.info("a").shape()).containsExactly(2, 3);
            float[] a = file.readFloat32("a");
            for (int i = 0; i < a.length; i++) {
                float expected = values.get("a")[i];
                assertThat(a[i]).isCloseTo(expected, within(Math.abs(expected) / 1000f + 1e-7f));
            }
            assertThat(file.readFloat32("b")[0]).isCloseTo(0.333f, within(1e-3f));
        }
    }
}
