package dev.braid.decoding;

import dev.braid.model.GenerationConfig;

/**
 * The sampling parameters a request leaves out, as vLLM fills them: the model's
 * {@code generation_config.json} first ({@code temperature}, {@code top_p}, {@code top_k}), then
 * the caller's own defaults. One place for that order, so the API, jobs and the CLI agree.
 */
public record SamplingDefaults(double temperature, int topK, double topP) {

    /** What OpenAI's API does when neither the request nor the model says: sample at 1, no filters. */
    public static final SamplingDefaults OPENAI = new SamplingDefaults(1, 0, 1);
    /** The command line's: greedy, so a tool run is reproducible unless asked otherwise. */
    public static final SamplingDefaults GREEDY = new SamplingDefaults(0, 0, 1);

    /** These defaults under the model's own: a field the model's file sets wins over this one. */
    public SamplingDefaults under(GenerationConfig model) {
        return new SamplingDefaults(
                model.temperature() != null ? model.temperature() : temperature,
                // -1 and 0 both mean no top-k filter in Hugging Face's and vLLM's files
                model.topK() != null ? Math.max(model.topK(), 0) : topK,
                model.topP() != null ? model.topP() : topP);
    }

    /** The request's values where it gave them, these defaults elsewhere. */
    public SamplingParams apply(Double requestTemperature, Integer requestTopK, Double requestTopP, Long seed) {
        return new SamplingParams(
                requestTemperature != null ? requestTemperature : temperature,
                requestTopK != null ? Math.max(requestTopK, 0) : topK,
                requestTopP != null ? requestTopP : topP,
                seed);
    }
}
