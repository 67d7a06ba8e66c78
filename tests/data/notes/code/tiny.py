# requires: math
# expect: answer = 42
print("answer = 42")
