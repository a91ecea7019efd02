/// The text operators: StringNormalizer and TfIdfVectorizer (default domain) and the
/// `com.microsoft` Tokenizer that skl2onnx emits for CountVectorizer / TfidfVectorizer.
enum TextOperators {
    static let schemas: [OperatorSchema] = [StringNormalizerKernel.schema, TfIdfVectorizerKernel.schema, TokenizerKernel.schema]
}
