/// The control-flow operators with subgraphs: If, Loop and Scan.
enum ControlFlowOperators {
    static let schemas: [OperatorSchema] = [IfKernel.schema, LoopKernel.schema, ScanKernel.schema]
}
