module dev.slate/quietlocale

go 1.26.0
