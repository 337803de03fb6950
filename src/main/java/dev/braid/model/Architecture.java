package dev.braid.model;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** Model families this project can run, with the Hugging Face class names that map onto each. */
public enum Architecture {

    /** Pre-norm RMSNorm + RoPE + SwiGLU decoders; Mistral and Qwen2 differ only in config flags. */
    LLAMA(List.of("LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM")),

    /** LayerNorm + learned positions + GELU, with Conv1D (input-major) weight layout. */
    GPT2(List.of("GPT2LMHeadModel"));

    private final List<String> hfNames;

    Architecture(List<String> hfNames) {
        this.hfNames = hfNames;
    }

    public List<String> hfNames() {
        return hfNames;
    }

    public static Optional<Architecture> fromHfName(String name) {
        return Arrays.stream(values()).filter(a -> a.hfNames.contains(name)).findFirst();
    }

    /** Comma-separated list for error messages, so users see what they could have used instead. */
    public static String supportedNames() {
        return Arrays.stream(values())
                .flatMap(a -> a.hfNames.stream())
                .collect(Collectors.joining(", "));
    }
}
