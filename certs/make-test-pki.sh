#!/usr/bin/env bash
# Makes the test PKI with the openssl command, into the directory given (default: ./pki).
#
#   tls-ca.{key,crt}        CA that signs the mock CSSM's TLS server certificate
#   server.{key,crt}        TLS server certificate for 127.0.0.1 and localhost
#   cssm-signing.{key,crt}  the CSSM signing key: signs every licensing response and
#                           issues device ID certificates (the agent's trust anchor)
#   other-ca.{key,crt}      an unrelated CA, for "untrusted certificate" tests
#   wrong-host.{key,crt}    TLS certificate for another host name, signed by tls-ca
#   expired.{key,crt}       TLS certificate for 127.0.0.1 whose validity ended in 2021
#
# Everything is generated, never committed: no private key lives in git. Validity is
# 20 years so that tests which run the agent 10 simulated years ahead (faketime) still
# see valid TLS and signing certificates. Keys are EC P-256, like the device keys.
set -euo pipefail
out=${1:-pki}
mkdir -p "$out"
cd "$out"
days=7300

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; chmod 600 "$1"; }

ca() { # name subject
  newkey "$1.key"
  openssl req -x509 -new -key "$1.key" -sha256 -days $days -subj "$2" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" -out "$1.crt"
}

leaf() { # name subject san issuer
  newkey "$1.key"
  openssl req -new -key "$1.key" -subj "$2" -out "$tmp/$1.csr"
  printf 'subjectAltName=%s\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' "$3" > "$tmp/$1.ext"
  openssl x509 -req -in "$tmp/$1.csr" -CA "$4.crt" -CAkey "$4.key" -CAcreateserial \
    -days $days -sha256 -extfile "$tmp/$1.ext" -out "$1.crt" 2>/dev/null
}

ca tls-ca "/O=Smart Licensing Test/CN=Test TLS CA"
ca other-ca "/O=Somebody Else/CN=Untrusted Test CA"
# The CSSM signing certificate is a CA: it issues the device ID certificates.
ca cssm-signing "/O=Mock CSSM/CN=Mock CSSM Signing"

leaf server "/O=Mock CSSM/CN=localhost" "DNS:localhost,IP:127.0.0.1" tls-ca
leaf wrong-host "/O=Mock CSSM/CN=cssm.example.invalid" "DNS:cssm.example.invalid" tls-ca

# An expired certificate needs explicit dates, which only 'openssl ca' takes in OpenSSL 3.0.
newkey expired.key
openssl req -new -key expired.key -subj "/O=Mock CSSM/CN=localhost" -out "$tmp/expired.csr"
mkdir -p "$tmp/ca"
: > "$tmp/ca/index.txt"
cat > "$tmp/ca.cnf" <<CNF
[ca]
default_ca = test
[test]
database = $tmp/ca/index.txt
new_certs_dir = $tmp/ca
serial = $tmp/ca/serial
default_md = sha256
policy = any
copy_extensions = none
x509_extensions = leaf
unique_subject = no
[any]
organizationName = optional
commonName = supplied
[leaf]
subjectAltName = DNS:localhost,IP:127.0.0.1
basicConstraints = critical,CA:FALSE
extendedKeyUsage = serverAuth
CNF
echo 1000 > "$tmp/ca/serial"
openssl ca -batch -config "$tmp/ca.cnf" -cert tls-ca.crt -keyfile tls-ca.key \
  -startdate 20200101000000Z -enddate 20210101000000Z \
  -in "$tmp/expired.csr" -out expired.crt -notext 2>/dev/null

rm -f tls-ca.srl other-ca.srl cssm-signing.srl
echo "test PKI written to $(pwd)"
