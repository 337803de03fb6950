package dev.braid.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** What both benchmarks (engine and HTTP) share: rounding, percentiles, the Markdown table, the files. */
final class BenchReport {

    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private BenchReport() {
    }

    static double round(double value) {
        return round(value, 2);
    }

    static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }

    /** Nearest-rank percentile; 0 for no values. */
    static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return 0;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** A right-aligned Markdown table of the given columns, one line per row. */
    static String table(List<String> columns, List<Map<String, Object>> rows) {
        StringBuilder md = new StringBuilder();
        md.append("| ").append(String.join(" | ", columns)).append(" |\n");
        md.append("|").append("---:|".repeat(columns.size())).append("\n");
        for (Map<String, Object> row : rows) {
            md.append("| ");
            for (String column : columns) {
                md.append(row.get(column)).append(" | ");
            }
            md.setLength(md.length() - 1);
            md.append("\n");
        }
        return md.toString();
    }

    /** Writes {@code NAME.json} and {@code NAME.md} into {@code output}. */
    static void write(Path output, String name, Map<String, Object> report, String markdown) {
        try {
            Files.createDirectories(output);
            Files.writeString(output.resolve(name + ".json"), JSON.writeValueAsString(report));
            Files.writeString(output.resolve(name + ".md"), markdown);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write bench results to " + output, e);
        }
    }
}
