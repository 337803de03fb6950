package dev.braid.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Training checkpoints in a work folder: each is written whole into a temporary folder, renamed to
 * {@code step-N}, and only then named in {@code latest}. A failed write (a full disk) therefore
 * never touches the last good checkpoint; older ones are removed only after a newer one is safe.
 */
final class CheckpointStore {

    /** Writes one checkpoint's files into an empty folder. */
    @FunctionalInterface
    interface Writer {
        void write(Path folder) throws IOException;
    }

    private final Path root;

    CheckpointStore(Path root) {
        this.root = root;
    }

    Optional<Path> latest() {
        Path pointer = root.resolve("latest");
        if (!Files.isRegularFile(pointer)) {
            return Optional.empty();
        }
        try {
            Path folder = root.resolve(Files.readString(pointer, StandardCharsets.UTF_8).trim());
            return Files.isDirectory(folder) ? Optional.of(folder) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pointer, e);
        }
    }

    /** @throws CheckpointException naming the folder, with the last good checkpoint left as it was */
    Path save(int step, Writer writer) {
        Path target = root.resolve("step-" + step);
        Path temporary = root.resolve("step-" + step + ".partial");
        Optional<Path> previous = latest();
        try {
            Files.createDirectories(root);
            deleteTree(temporary);
            Files.createDirectories(temporary);
            writer.write(temporary);
            deleteTree(target);
            move(temporary, target);
            Path pointerTemp = root.resolve("latest.partial");
            Files.writeString(pointerTemp, target.getFileName().toString(), StandardCharsets.UTF_8);
            move(pointerTemp, root.resolve("latest"));
        } catch (IOException | UncheckedIOException e) {
            try {
                deleteTree(temporary);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw new CheckpointException("cannot write checkpoint " + target + ": " + e.getMessage()
                    + previous.map(p -> "; the last good checkpoint " + p + " is intact").orElse(""), e);
        }
        previous.filter(p -> !p.equals(target)).ifPresent(p -> {
            try {
                deleteTree(p);
            } catch (IOException ignored) {
                // a stale checkpoint left behind costs disk, not correctness
            }
        });
        return target;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void deleteTree(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A checkpoint could not be written. */
    static final class CheckpointException extends RuntimeException {
        CheckpointException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
