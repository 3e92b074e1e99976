"""Compares the observations of tests/blob/ops.py against amlab serve and against Azurite.

argv: amlab.json azurite.json. Every operation must agree, except the KNOWN differences below,
where Azurite departs from Azure's documented behaviour and amlab follows Azure; each must
still show exactly the recorded pair (so a change on either side is noticed). Prints one line
per difference and `N operations compared, M agree, K known differences, F failed`.
"""
import json
import sys

AUTH = {"status": 403, "error": "AuthenticationFailed"}
AZURITE_AUTH = {"status": 403, "error": "AuthorizationFailure"}
# operation -> (why, Azurite's observation, amlab's observation)
KNOWN = {
    # Azure answers a signature that does not verify with 403 AuthenticationFailed
    # ("Server failed to authenticate the request..."); Azurite says AuthorizationFailure.
    "wrong key": ("Azure: AuthenticationFailed", AZURITE_AUTH, AUTH),
    "blob SAS on another blob": ("Azure: AuthenticationFailed (signature did not match)", AZURITE_AUTH, AUTH),
    "tampered SAS": ("Azure: AuthenticationFailed", AZURITE_AUTH, AUTH),
    "expired SAS": ("Azure: AuthenticationFailed (not valid in the time frame)", AZURITE_AUTH, AUTH),
    "container SAS on another container": ("Azure: AuthenticationFailed", AZURITE_AUTH, AUTH),
    # Azure's Put Block: "all block IDs must be the same length ... otherwise 400"; Azurite
    # accepts the block and fails the later commit instead.
    "stage with a different id length": (
        "Azure refuses at Put Block",
        "staged",
        {"status": 400, "error": "InvalidBlobOrBlock"},
    ),
    "recommit a committed block and a new one": (
        "follows from the previous step",
        {"status": 400, "error": "InvalidBlobOrBlock"},
        "three-four",
    ),
}

amlab = json.load(open(sys.argv[1], encoding="utf-8"))
azurite = json.load(open(sys.argv[2], encoding="utf-8"))
if [k for k, _ in amlab] != [k for k, _ in azurite]:
    print("FAIL  the two runs did not perform the same operations")
    sys.exit(1)
agree = known = failed = 0
for (name, ours), (_, theirs) in zip(amlab, azurite):
    if name in KNOWN:
        why, want_theirs, want_ours = KNOWN[name]
        if theirs == want_theirs and ours == want_ours:
            known += 1
            print(f"KNOWN {name}: {why}")
            continue
    if ours == theirs:
        agree += 1
        continue
    failed += 1
    print(f"FAIL  {name}\n      amlab:   {json.dumps(ours, ensure_ascii=False)[:300]}\n      Azurite: {json.dumps(theirs, ensure_ascii=False)[:300]}")
print(f"{len(amlab)} operations compared, {agree} agree, {known} known differences, {failed} failed")
sys.exit(1 if failed else 0)
