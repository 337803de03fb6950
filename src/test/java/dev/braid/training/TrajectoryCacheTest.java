package dev.braid.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrajectoryCacheTest {

    @Test
    void trajectoriesComeBackUnderTheirKeyOnly(@TempDir Path dir) {
        Path file = dir.resolve("work/trajectories.bin");
        JacobiTrajectories.Trajectory t = new JacobiTrajectories.Trajectory(new int[] {1, 2}, new int[] {3, 4, 5},
                List.of(new JacobiTrajectories.Block(0, List.of(new int[] {9, 9}, new int[] {3, 9}, new int[] {3, 4})),
                        new JacobiTrajectories.Block(2, List.of(new int[] {5}))));
        TrajectoryCache.write(file, "k1", List.of(t));

        List<JacobiTrajectories.Trajectory> back = TrajectoryCache.read(file, "k1").orElseThrow();
        assertThat(back).hasSize(1);
        assertThat(back.get(0).prompt()).containsExactly(1, 2);
        assertThat(back.get(0).answer()).containsExactly(3, 4, 5);
        assertThat(back.get(0).blocks()).extracting(JacobiTrajectories.Block::start).containsExactly(0, 2);
        assertThat(back.get(0).blocks().get(0).states()).containsExactly(new int[] {9, 9}, new int[] {3, 9}, new int[] {3, 4});
        assertThat(TrajectoryCache.read(file, "other settings")).isEmpty();
        assertThat(TrajectoryCache.read(dir.resolve("missing.bin"), "k1")).isEmpty();
    }
}
