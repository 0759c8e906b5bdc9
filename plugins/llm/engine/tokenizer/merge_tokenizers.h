#pragma once

// The two merge algorithms, on one piece of text each:
//  - SentencePiece-style: start from UTF-8 characters, repeatedly merge the
//    adjacent pair whose concatenation is the highest-scoring token (leftmost
//    on a tie); pieces that are not tokens fall back to byte tokens;
//  - byte-level BPE: start from the characters of a pre-tokenized, byte-encoded
//    word, repeatedly merge the adjacent pair with the lowest merge rank
//    (leftmost on a tie).

#include "tokenizer/vocab.h"

#include <string>
#include <vector>

namespace bioforge::llm {

void sentencePieceEncode(const Vocab& vocab, const std::string& text, std::vector<TokenId>& out);
void bytePairEncode(const Vocab& vocab, const std::string& word, std::vector<TokenId>& out);

} // namespace bioforge::llm
