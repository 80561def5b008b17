import PortcullisBPFObject
print(EmbeddedBPF.object.count)
