/** Shared by `anthropic-api-key` and `openai-api-key`: both start `sk-`, told apart after the match. */
export const SK_PATTERN = /(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]+/;
