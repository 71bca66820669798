"""What the tests share: paths, the databases they run on, the shipped service as data, and the
processes and servers they start. Test modules import from here, never from each other."""
