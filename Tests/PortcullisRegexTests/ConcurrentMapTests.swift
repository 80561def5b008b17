import Testing
@testable import PortcullisRegex

@Suite("concurrentMap")
struct ConcurrentMapTests {
    @Test(arguments: [0, 1, 31, 32, 33, 1000, 4097])
    func keepsOrderAndEveryElement(count: Int) {
        let input = (0..<count).map { $0 * 7 }
        let output = input.concurrentMap { String($0 + 1) }
        #expect(output == input.map { String($0 + 1) })
    }
}
