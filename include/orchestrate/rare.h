// Rare<T>: a value most owners leave empty, kept on the heap only when set.
#pragma once

#include <memory>

namespace orchestrate {

/// A `T` kept on the heap and made on first write, for data most owners
/// leave empty: reading an absent one gives an empty `T`. Copies copy the
/// value; two compare equal when their values (empty if absent) do.
template <typename T>
class Rare {
 public:
  Rare() = default;
  Rare(const Rare& other) : value_(other.value_ ? std::make_unique<T>(*other.value_) : nullptr) {}
  Rare(Rare&&) noexcept = default;
  Rare& operator=(const Rare& other) {
    if (this != &other) value_ = other.value_ ? std::make_unique<T>(*other.value_) : nullptr;
    return *this;
  }
  Rare& operator=(Rare&&) noexcept = default;

  /// Whether it was ever written.
  bool made() const { return value_ != nullptr; }
  const T& get() const { return value_ ? *value_ : Empty(); }
  /// The value to write to, made empty when absent.
  T& Edit() {
    if (!value_) value_ = std::make_unique<T>();
    return *value_;
  }
  /// Holds `value`; nothing on the heap when it is empty.
  void Set(T value) {
    if (value == T{})
      value_.reset();
    else
      Edit() = std::move(value);
  }

  bool operator==(const Rare& other) const { return get() == other.get(); }

 private:
  static const T& Empty() {
    static const T kEmpty;
    return kEmpty;
  }
  std::unique_ptr<T> value_;
};

}  // namespace orchestrate
