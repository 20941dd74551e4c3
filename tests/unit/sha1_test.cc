#include "orchestrate/sha1.h"

#include <git2.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "orchestrate/git.h"

namespace orchestrate {
namespace {

std::string Digest(std::string_view data) {
  Sha1 sha;
  sha.Update(data);
  return sha.HexDigest();
}

// libgit2's (collision-detecting) SHA-1 of a blob with `content`.
std::string GitBlobId(const std::string& content) {
  git_oid oid;
  EXPECT_EQ(git_odb_hash(&oid, content.data(), content.size(), GIT_OBJECT_BLOB), 0);
  char hex[GIT_OID_HEXSZ + 1];
  git_oid_tostr(hex, sizeof hex, &oid);
  return hex;
}

TEST(Sha1Test, MatchesTheFipsExamples) {
  EXPECT_EQ(Digest(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(Digest("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(Digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(Digest(std::string(1000000, 'a')), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(Sha1Test, AMovedHashCarriesOnWhereItWas) {
  Sha1 first;
  first.Update("a");
  Sha1 moved = std::move(first);
  moved.Update("bc");
  EXPECT_EQ(moved.HexDigest(), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST(Sha1Test, PiecewiseUpdatesEqualOneUpdate) {
  std::string text;
  for (int i = 0; i < 300; ++i) text += static_cast<char>('a' + i % 26);
  for (size_t cut : {0, 1, 55, 56, 63, 64, 65, 128, 299}) {
    Sha1 sha;
    sha.Update(std::string_view(text).substr(0, cut));
    sha.Update(std::string_view(text).substr(cut));
    EXPECT_EQ(sha.HexDigest(), Digest(text)) << "cut at " << cut;
  }
}

TEST(Sha1Test, HashBlobEqualsLibgit2ForEveryLengthAroundTheBlockSize) {
  InitGit();
  std::mt19937 random(7);
  std::string content;
  for (int length = 0; length <= 300; ++length) {
    EXPECT_EQ(HashBlob(content).hex(), GitBlobId(content)) << length << " bytes";
    content += static_cast<char>(random());
  }
  std::string large(100000, '\0');
  for (char& c : large) c = static_cast<char>(random());
  EXPECT_EQ(HashBlob(large).hex(), GitBlobId(large));
}

// Pieces that fill its 8 KiB buffer exactly, cross its end, are larger than
// it or empty all give the blob id of the whole.
TEST(Sha1Test, BlobHasherOfPiecesEqualsTheBlobIdOfTheWhole) {
  InitGit();
  std::mt19937 random(11);
  std::string whole;
  std::vector<size_t> sizes = {0, 1, 8191, 1, 8192, 0, 20000, 3, 8189, 7, 100, 16384, 1};
  for (int i = 0; i < 500; ++i) sizes.push_back(random() % 40);
  std::vector<std::string> pieces;
  for (size_t size : sizes) {
    std::string piece(size, '\0');
    for (char& c : piece) c = static_cast<char>(random());
    whole += piece;
    pieces.push_back(std::move(piece));
  }
  BlobHasher hash(whole.size());
  for (const std::string& piece : pieces) hash.Add(piece);
  EXPECT_EQ(hash.Finish().hex(), GitBlobId(whole));
  BlobHasher chars(3);
  chars.Add('a'), chars.Add('\0'), chars.Add('\n');
  EXPECT_EQ(chars.Finish().hex(), GitBlobId(std::string("a\0\n", 3)));
}

}  // namespace
}  // namespace orchestrate
