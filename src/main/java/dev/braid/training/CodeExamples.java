package dev.braid.training;

import java.util.List;
import java.util.Random;

/** Small functions in Python and Java, written for this corpus. */
final class CodeExamples {

    private record Snippet(String task, String python, String java) {
    }

    private static final List<Snippet> SNIPPETS = List.of(
            new Snippet("returns the sum of a list of numbers",
                    "def total(numbers):\n    result = 0\n    for n in numbers:\n        result += n\n    return result",
                    "static int total(int[] numbers) {\n    int result = 0;\n    for (int n : numbers) {\n        result += n;\n    }\n    return result;\n}"),
            new Snippet("returns the largest number in a list",
                    "def largest(numbers):\n    best = numbers[0]\n    for n in numbers:\n        if n > best:\n            best = n\n    return best",
                    "static int largest(int[] numbers) {\n    int best = numbers[0];\n    for (int n : numbers) {\n        if (n > best) {\n            best = n;\n        }\n    }\n    return best;\n}"),
            new Snippet("reverses a string",
                    "def reverse(text):\n    return text[::-1]",
                    "static String reverse(String text) {\n    return new StringBuilder(text).reverse().toString();\n}"),
            new Snippet("checks whether a number is even",
                    "def is_even(n):\n    return n % 2 == 0",
                    "static boolean isEven(int n) {\n    return n % 2 == 0;\n}"),
            new Snippet("computes the factorial of n",
                    "def factorial(n):\n    result = 1\n    for i in range(2, n + 1):\n        result *= i\n    return result",
                    "static long factorial(int n) {\n    long result = 1;\n    for (int i = 2; i <= n; i++) {\n        result *= i;\n    }\n    return result;\n}"),
            new Snippet("counts the vowels in a string",
                    "def count_vowels(text):\n    count = 0\n    for c in text.lower():\n        if c in \"aeiou\":\n            count += 1\n    return count",
                    "static int countVowels(String text) {\n    int count = 0;\n    for (char c : text.toLowerCase().toCharArray()) {\n        if (\"aeiou\".indexOf(c) >= 0) {\n            count++;\n        }\n    }\n    return count;\n}"),
            new Snippet("checks whether a word is a palindrome",
                    "def is_palindrome(word):\n    return word == word[::-1]",
                    "static boolean isPalindrome(String word) {\n    return new StringBuilder(word).reverse().toString().equals(word);\n}"),
            new Snippet("returns the n-th Fibonacci number",
                    "def fibonacci(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a",
                    "static long fibonacci(int n) {\n    long a = 0, b = 1;\n    for (int i = 0; i < n; i++) {\n        long next = a + b;\n        a = b;\n        b = next;\n    }\n    return a;\n}"));

    private CodeExamples() {
    }

    static CorpusGenerator.Example example(Random random) {
        Snippet snippet = SNIPPETS.get(random.nextInt(SNIPPETS.size()));
        boolean python = random.nextBoolean();
        String language = python ? "Python" : "Java";
        String question = random.nextBoolean()
                ? "Write a " + language + " function that " + snippet.task() + "."
                : "Show me " + language + " code that " + snippet.task() + ".";
        String answer = "Here is a " + language + " function that " + snippet.task() + ":\n```"
                + language.toLowerCase() + "\n" + (python ? snippet.python() : snippet.java()) + "\n```";
        return new CorpusGenerator.Example(CorpusGenerator.Category.CODE, question, answer);
    }
}
