/* errors: what the protocol's decoders, identity readers, secret reader and helper loader mean
 * by their error codes.
 *
 * The parameter block, the status record and the platform blob are written by one program and
 * read by another (A, B, the boot hook); their decoders (params.h, status.h, platform.h), the
 * identity readers (sysid.h), secret.h and load.h return these. Decode them with
 * khp_strerror(), not with the image library's or kjump's: the same number means something
 * else there.
 */
#ifndef KHP_ERRORS_H
#define KHP_ERRORS_H

/*! khp_strerror() : @err (negative) in the protocol's terms:
 *    -EBADMSG          a record that does not parse: magic, size, checksum or a field
 *    -EPROTONOSUPPORT  a record of another version, or an unknown value in it
 *    -ENODATA          no record where one should be (the helper wrote none), no build-id
 *                      note, no machine id
 *    -ENOBUFS          a buffer too small
 *    -EKEYREJECTED     a key file that does not hold exactly KHI_KEY_SIZE bytes (secret.h)
 *    -ENAMETOOLONG     a passphrase longer than KHP_PASSPHRASE_MAX bytes (secret.h)
 *    -EMSGSIZE         parameters that cannot be encoded (load.h)
 *  and strerror() for any other. Never NULL. */
const char *khp_strerror(int err);

#endif
