package dev.braid.training;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Keeps collected Jacobi trajectories in the work folder. Collecting is most of a cllm run's time
 * and depends only on the base model and the collection settings, so a rerun that changes only the
 * optimisation (weights, rates, steps) reuses them. The key names the settings and the base
 * weights' size and modification time; anything else misses.
 */
final class TrajectoryCache {

    private TrajectoryCache() {
    }

    static Optional<List<JacobiTrajectories.Trajectory>> read(Path file, String key) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
            if (!in.readUTF().equals(key)) {
                return Optional.empty();
            }
            int count = in.readInt();
            List<JacobiTrajectories.Trajectory> out = new ArrayList<>(count);
            for (int t = 0; t < count; t++) {
                int[] prompt = ints(in);
                int[] answer = ints(in);
                int blocks = in.readInt();
                List<JacobiTrajectories.Block> list = new ArrayList<>(blocks);
                for (int b = 0; b < blocks; b++) {
                    int start = in.readInt();
                    int states = in.readInt();
                    List<int[]> s = new ArrayList<>(states);
                    for (int k = 0; k < states; k++) {
                        s.add(ints(in));
                    }
                    list.add(new JacobiTrajectories.Block(start, List.copyOf(s)));
                }
                out.add(new JacobiTrajectories.Trajectory(prompt, answer, List.copyOf(list)));
            }
            return Optional.of(out);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static void write(Path file, String key, List<JacobiTrajectories.Trajectory> trajectories) {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try {
            Files.createDirectories(file.getParent());
            try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(partial)))) {
                out.writeUTF(key);
                out.writeInt(trajectories.size());
                for (JacobiTrajectories.Trajectory t : trajectories) {
                    ints(out, t.prompt());
                    ints(out, t.answer());
                    out.writeInt(t.blocks().size());
                    for (JacobiTrajectories.Block b : t.blocks()) {
                        out.writeInt(b.start());
                        out.writeInt(b.states().size());
                        for (int[] state : b.states()) {
                            ints(out, state);
                        }
                    }
                }
            }
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static int[] ints(DataInputStream in) throws IOException {
        int[] out = new int[in.readInt()];
        for (int i = 0; i < out.length; i++) {
            out[i] = in.readInt();
        }
        return out;
    }

    private static void ints(DataOutputStream out, int[] values) throws IOException {
        out.writeInt(values.length);
        for (int v : values) {
            out.writeInt(v);
        }
    }
}
