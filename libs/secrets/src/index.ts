// Secret-ref resolution (env://, vault://), envelope encryption, rotation.
