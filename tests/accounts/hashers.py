"""A password hasher that counts its work, for the sign-up timing tests."""

from django.contrib.auth.hashers import MD5PasswordHasher


class CountingHasher(MD5PasswordHasher):
    """The test settings' fast hasher, counting every password it hashes."""

    algorithm = "counting_md5"
    hashed = 0

    def encode(self, password, salt):
        type(self).hashed += 1
        return super().encode(password, salt)
